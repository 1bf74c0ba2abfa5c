"""The job entry point: resolve the use case through the container and call it."""

from __future__ import annotations

import uuid

from dishka import AsyncContainer

from service_kit.messaging.jobs import Job
from services.file_service.use_cases import (
    GiveUpOnFile,
    GiveUpOnFileCommand,
    ProcessFile,
    ProcessFileCommand,
)


async def run_process_file(job: Job, container: AsyncContainer) -> None:
    """ProcessFile; GiveUpOnFile once the job's workers kept dying or its last attempt
    failed, so no batch waits for a file that will not come."""
    file_id, version = uuid.UUID(job.payload["file_id"]), int(job.payload["version"])
    async with container() as scope:
        if job.exhausted:
            give_up = await scope.get(GiveUpOnFile)
            await give_up.execute(GiveUpOnFileCommand(file_id, version, "processing kept crashing"))
            return
        process = await scope.get(ProcessFile)
        try:
            await process.execute(
                ProcessFileCommand(file_id, version, last_attempt=job.last_attempt)
            )
        except Exception as exc:
            if not job.last_attempt:
                raise
            give_up = await scope.get(GiveUpOnFile)
            await give_up.execute(
                GiveUpOnFileCommand(file_id, version, f"processing failed: {exc!r}")
            )
