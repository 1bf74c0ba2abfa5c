"""The job entry point: the ``process_file`` job runs ProcessFile, resolved through the
container; the platform's give-up wrapper runs GiveUpOnFile instead when the job's workers
kept dying, or after its last attempt failed, so no batch waits for a file that will not
come."""

from __future__ import annotations

import uuid

from service_kit.messaging.job_handler import job_handler
from service_kit.messaging.jobs import Job
from services.file_service.use_cases import (
    GiveUpOnFile,
    GiveUpOnFileCommand,
    ProcessFile,
    ProcessFileCommand,
)


def _file_version(job: Job) -> tuple[uuid.UUID, int]:
    return uuid.UUID(job.payload["file_id"]), int(job.payload["version"])


run_process_file = job_handler(
    run=ProcessFile,
    command=lambda job: ProcessFileCommand(*_file_version(job), last_attempt=job.last_attempt),
    give_up=GiveUpOnFile,
    give_up_command=lambda job, reason: GiveUpOnFileCommand(*_file_version(job), reason),
    crashed="processing kept crashing",
    failed=lambda exc: f"processing failed: {exc!r}",
)
