"""content_service: ``hypercorn "services.content_service.app:create_app()"``."""

from __future__ import annotations

from pathlib import Path

from quart import Quart

from service_kit.app import create_service_app
from services.content_service import api
from services.content_service.config import Settings
from services.content_service.di import providers

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or Settings()
    return create_service_app(
        settings,
        blueprints=[api.blueprint],
        providers=providers(settings),
        alembic_ini=ALEMBIC_INI,
        title="content_service",
    )
