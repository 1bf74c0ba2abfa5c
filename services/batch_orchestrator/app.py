"""batch_orchestrator: ``hypercorn "services.batch_orchestrator.app:create_app()"``."""

from __future__ import annotations

from pathlib import Path

from quart import Quart

from service_kit.app import create_service_app
from service_kit.messaging.runtime import Messaging
from services.batch_orchestrator import api
from services.batch_orchestrator.config import Settings
from services.batch_orchestrator.di import providers
from services.batch_orchestrator.models_db import messaging

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or Settings()
    return create_service_app(
        settings,
        blueprints=[api.blueprint],
        providers=providers(settings),
        alembic_ini=ALEMBIC_INI,
        messaging=Messaging(messaging),
        title="batch_orchestrator",
    )
