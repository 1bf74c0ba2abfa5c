"""cj_assessment: ``hypercorn "services.cj_assessment.app:create_app()"``."""

from __future__ import annotations

# before anything imports numpy (the method does): numpy reads this once
from services.cj_assessment import blas_threads  # noqa: F401

# isort: split
import uuid
from pathlib import Path

from dishka import AsyncContainer
from quart import Quart

from service_kit.app import create_service_app
from service_kit.messaging.jobs import Job
from service_kit.messaging.runtime import Messaging
from services.cj_assessment import api
from services.cj_assessment.config import Settings
from services.cj_assessment.di import providers
from services.cj_assessment.domain import RUN_ASSESSMENT
from services.cj_assessment.models_db import messaging
from services.cj_assessment.protocols import AssessmentUnitOfWork, ContentFetcher
from services.cj_assessment.runner import Judges, RunLimits, give_up, run_assessment

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


async def run_assessment_job(job: Job, container: AsyncContainer) -> None:
    assessment_id = uuid.UUID(job.payload["assessment_id"])
    async with container() as scope:
        uow = await scope.get(AssessmentUnitOfWork)
        if job.exhausted:
            await give_up(uow, assessment_id, "the assessment run kept crashing")
            return
        try:
            await run_assessment(
                uow,
                await scope.get(ContentFetcher),
                await scope.get(Judges),
                await scope.get(RunLimits),
                assessment_id,
                last_attempt=job.last_attempt,
            )
        except Exception as exc:
            if not job.last_attempt:
                raise
            await give_up(uow, assessment_id, f"the assessment run failed: {exc!r}")


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
