"""cj_assessment: ``hypercorn "services.cj_assessment.app:create_app()"``."""

from __future__ import annotations

# before anything imports numpy (the method does): numpy reads this once
from services.cj_assessment.method import blas_threads  # noqa: F401

# isort: split
from pathlib import Path

from quart import Quart

from service_kit.app import create_service_app
from service_kit.messaging.runtime import Messaging
from services.cj_assessment import api
from services.cj_assessment.config import Settings
from services.cj_assessment.di import providers
from services.cj_assessment.domain import RUN_ASSESSMENT
from services.cj_assessment.jobs import run_assessment_job
from services.cj_assessment.models_db import messaging

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or Settings()
    return create_service_app(
        settings,
        blueprints=[api.blueprint],
        providers=providers(settings),
        alembic_ini=ALEMBIC_INI,
        messaging=Messaging(messaging, job_handlers={RUN_ASSESSMENT: run_assessment_job}),
        title="cj_assessment",
    )
