"""essay_lifecycle: ``hypercorn "services.essay_lifecycle.app:create_app()"``."""

from __future__ import annotations

from pathlib import Path

from quart import Quart

from service_kit.app import create_service_app
from service_kit.messaging.runtime import Messaging
from services.essay_lifecycle import api
from services.essay_lifecycle.config import Settings
from services.essay_lifecycle.di import providers
from services.essay_lifecycle.models_db import messaging

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or Settings()
    return create_service_app(
        settings,
        blueprints=[api.blueprint],
        providers=providers(settings),
        alembic_ini=ALEMBIC_INI,
        messaging=Messaging(messaging),
        title="essay_lifecycle",
    )
