"""The run_assessment job's entry point: resolve the use case through the container, call it.

A job that raises is tried again by the queue; on its last attempt a failure is reported
instead (the assessment fails and its caller is told), and a job whose workers kept dying
(its attempts exhausted) gives up at once.
"""

from __future__ import annotations

import uuid

from dishka import AsyncContainer

from service_kit.messaging.jobs import Job
from services.cj_assessment.use_cases import (
    GiveUpAssessment,
    GiveUpAssessmentCommand,
    RunAssessment,
    RunAssessmentCommand,
)


async def run_assessment_job(job: Job, container: AsyncContainer) -> None:
    assessment_id = uuid.UUID(job.payload["assessment_id"])
    async with container() as scope:
        give_up = await scope.get(GiveUpAssessment)
        if job.exhausted:
            await give_up.execute(
                GiveUpAssessmentCommand(assessment_id, "the assessment run kept crashing")
            )
            return
        run = await scope.get(RunAssessment)
        try:
            await run.execute(RunAssessmentCommand(assessment_id, last_attempt=job.last_attempt))
        except Exception as exc:
            if not job.last_attempt:
                raise
            reason = f"the assessment run failed: {exc!r}"
            await give_up.execute(GiveUpAssessmentCommand(assessment_id, reason))
