"""The run_assessment job's entry point: service_kit's job wrapper resolves the use cases
through the container and calls them.

A run that raises is tried again by the queue; on its last attempt the failure is reported
instead (``GiveUpAssessment``: the assessment fails and its caller is told), and a job whose
workers kept dying (its attempts exhausted) gives up at once.
"""

from __future__ import annotations

import uuid

from service_kit.messaging.job_handler import job_handler
from services.cj_assessment.use_cases import (
    GiveUpAssessment,
    GiveUpAssessmentCommand,
    RunAssessment,
    RunAssessmentCommand,
)

run_assessment_job = job_handler(
    run=RunAssessment,
    command=lambda job: RunAssessmentCommand(
        uuid.UUID(job.payload["assessment_id"]), last_attempt=job.last_attempt
    ),
    give_up=GiveUpAssessment,
    give_up_command=lambda job, reason: GiveUpAssessmentCommand(
        uuid.UUID(job.payload["assessment_id"]), reason
    ),
    crashed="the assessment run kept crashing",
    failed=lambda exc: f"the assessment run failed: {exc!r}",
)
