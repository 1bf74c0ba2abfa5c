"""The job handler the app registers: the attempts a durable job gets, and what happens
when they run out (the assessment fails with a reason, and its caller is told)."""

from __future__ import annotations

import uuid

import pytest
from dishka import make_async_container

from service_kit.di import ClockProvider
from service_kit.messaging.jobs import Job
from service_kit.postgres_server import free_port
from services.cj_assessment.config import Settings
from services.cj_assessment.di import providers
from services.cj_assessment.domain import (
    RUN_ASSESSMENT,
    AssessmentRequest,
    AssessmentStatus,
    EssayIn,
    result_key,
)
from services.cj_assessment.jobs import run_assessment_job
from services.cj_assessment.protocols import ContentUnavailable
from services.cj_assessment.repository_memory_impl import MemoryAssessmentStore
from services.cj_assessment.use_cases import (
    CreateAssessment,
    CreateAssessmentCommand,
    GetAssessment,
    GetAssessmentCommand,
)


def settings() -> Settings:
    # content_service on a port nobody listens on: every fetch is "unavailable"
    return Settings(
        repository="memory",
        content_service_url=f"http://127.0.0.1:{free_port()}",
        log_level="WARNING",
    )


def job(assessment_id: uuid.UUID, attempts: int, max_attempts: int = 5) -> Job:
    payload = {"assessment_id": str(assessment_id)}
    return Job(uuid.uuid4(), RUN_ASSESSMENT, payload, attempts, max_attempts, None)


async def setup(container) -> tuple[uuid.UUID, MemoryAssessmentStore]:
    request = AssessmentRequest(
        essays=[EssayIn("a", content_id="c1"), EssayIn("b", text="Some text.")],
        callback_url="http://els.test/cb",
    )
    async with container() as scope:
        create = await scope.get(CreateAssessment)
        created = await create.execute(CreateAssessmentCommand(request))
    return created.view.assessment.id, await container.get(MemoryAssessmentStore)


async def status_of(container, assessment_id: uuid.UUID):
    async with container() as scope:
        get = await scope.get(GetAssessment)
        return (await get.execute(GetAssessmentCommand(assessment_id))).assessment


async def test_early_attempts_raise_so_the_queue_retries_and_the_last_one_reports():
    container = make_async_container(ClockProvider(), *providers(settings()))
    try:
        aid, store = await setup(container)
        with pytest.raises(ContentUnavailable):  # the queue retries it later
            await run_assessment_job(job(aid, attempts=1), container)
        assert (await status_of(container, aid)).status is AssessmentStatus.PREPARING
        await run_assessment_job(job(aid, attempts=5), container)
        failed = await status_of(container, aid)
        assert failed.status is AssessmentStatus.FAILED
        assert "content_service stayed unavailable" in (failed.failure_reason or "")
        assert store.calls[result_key(aid)][2]["status"] == "failed"
    finally:
        await container.close()


async def test_a_job_whose_workers_kept_dying_fails_its_assessment():
    container = make_async_container(ClockProvider(), *providers(settings()))
    try:
        aid, store = await setup(container)
        await run_assessment_job(job(aid, attempts=6), container)
        failed = await status_of(container, aid)
        assert failed.status is AssessmentStatus.FAILED
        assert failed.failure_reason == "the assessment run kept crashing"
        assert store.calls[result_key(aid)][2]["reason"] == failed.failure_reason
    finally:
        await container.close()
