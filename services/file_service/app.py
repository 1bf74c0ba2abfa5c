"""file_service: ``hypercorn "services.file_service.app:create_app()"``."""

from __future__ import annotations

from pathlib import Path

from quart import Quart

from service_kit.app import create_service_app
from service_kit.messaging.runtime import Messaging
from services.file_service import api
from services.file_service.config import Settings
from services.file_service.di import providers
from services.file_service.domain import PROCESS_FILE
from services.file_service.jobs import run_process_file
from services.file_service.models_db import messaging

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or Settings()
    return create_service_app(
        settings,
        blueprints=[api.blueprint],
        providers=providers(settings),
        alembic_ini=ALEMBIC_INI,
        messaging=Messaging(messaging, job_handlers={PROCESS_FILE: run_process_file}),
        title="file_service",
    )
