"""The job entry points service_kit's workers call: resolve the use case, call it."""

from __future__ import annotations

import uuid

from dishka import AsyncContainer

from service_kit.messaging.jobs import Job
from services.spell_checker.use_cases import (
    GiveUpSpellcheck,
    GiveUpSpellcheckCommand,
    RunSpellcheck,
    RunSpellcheckCommand,
)


async def run_spellcheck(job: Job, container: AsyncContainer) -> None:
    """The ``spellcheck`` job: one run of a spellcheck job. A run whose workers kept dying,
    or whose last attempt failed, is given up, so its caller is told."""
    job_id, run = uuid.UUID(job.payload["job_id"]), int(job.payload["run"])
    async with container() as scope:
        if job.exhausted:
            give_up = await scope.get(GiveUpSpellcheck)
            reason = "gave up: the check kept crashing its workers"
            await give_up.execute(GiveUpSpellcheckCommand(job_id, run, reason))
            return
        run_one = await scope.get(RunSpellcheck)
        try:
            await run_one.execute(RunSpellcheckCommand(job_id, run, job.last_attempt))
        except Exception as exc:
            if not job.last_attempt:
                raise
            give_up = await scope.get(GiveUpSpellcheck)
            reason = f"checking failed: {type(exc).__name__}: {exc}"
            await give_up.execute(GiveUpSpellcheckCommand(job_id, run, reason))
