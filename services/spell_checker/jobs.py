"""The job entry points service_kit's workers call: service_kit's ``job_handler`` resolves
the use case through the container and calls it, and gives the run up (told to the caller)
when its workers kept dying or its last attempt failed."""

from __future__ import annotations

import uuid

from service_kit.messaging.job_handler import describe, job_handler
from services.spell_checker.use_cases import (
    GiveUpSpellcheck,
    GiveUpSpellcheckCommand,
    RunSpellcheck,
    RunSpellcheckCommand,
)

# the ``spellcheck`` job: one run of a spellcheck job, payload {job_id, run}
run_spellcheck = job_handler(
    run=RunSpellcheck,
    command=lambda job: RunSpellcheckCommand(
        uuid.UUID(job.payload["job_id"]), int(job.payload["run"]), job.last_attempt
    ),
    give_up=GiveUpSpellcheck,
    give_up_command=lambda job, reason: GiveUpSpellcheckCommand(
        uuid.UUID(job.payload["job_id"]), int(job.payload["run"]), reason
    ),
    crashed="gave up: the check kept crashing its workers",
    failed=lambda exc: f"checking failed: {describe(exc)}",
)
