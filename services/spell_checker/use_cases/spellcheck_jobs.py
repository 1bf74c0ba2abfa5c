"""Spellcheck jobs as callers see them: ask for one (essay_lifecycle, one per essay text),
read it back, and page through its corrections."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import InvalidInput, NotFound
from service_kit.fields import INT32_MAX
from service_kit.pagination import clamp_limit, decode_cursor, encode_cursor
from services.spell_checker.config import JobAttempts
from services.spell_checker.domain import (
    SPELLCHECK,
    JobRequest,
    SpellcheckJob,
    SpellcheckStatus,
    StoredCorrection,
    callback_body,
    callback_key,
    job_key,
    new_job,
    run_again,
)
from services.spell_checker.protocols import SpellcheckUnitOfWork

JOBS_SCOPE = "POST /v1/jobs"
DEFAULT_CORRECTIONS_LIMIT = 100


def _not_found(job_id: uuid.UUID) -> NotFound:
    return NotFound(f"no spellcheck job with id {job_id}")


@dataclass(frozen=True, slots=True)
class RequestSpellcheckCommand:
    request: JobRequest
    idempotency_key: str | None = None  # a repeat with the same key gets the first answer


class RequestSpellcheck:
    """One job per essay text. Asked again: a failed job runs again, a succeeded one sends
    its result to a new callback URL, a queued or running one reports to the newest
    callback URL, and anything else is answered as it stands."""

    def __init__(self, uow: SpellcheckUnitOfWork, attempts: JobAttempts, clock: Clock) -> None:
        self._uow = uow
        self._attempts = attempts
        self._clock = clock

    async def execute(self, command: RequestSpellcheckCommand) -> SpellcheckJob:
        uow, request, key = self._uow, command.request, command.idempotency_key
        async with uow:
            if key is not None:
                answer = await uow.replay(key, JOBS_SCOPE)
                if answer is not None:
                    first = await uow.jobs.get(uuid.UUID(answer.body["job_id"]))
                    if first is not None:
                        return first
            job, created = await uow.jobs.add_or_get(new_job(request, self._clock.now()))
            if created:
                await self._queue(job)
            elif job.status is SpellcheckStatus.FAILED:
                job = run_again(job, request, self._clock.now())
                await uow.jobs.update(job)
                await self._queue(job)
            elif (
                job.status is SpellcheckStatus.SUCCEEDED
                and job.callback_url != request.callback_url
            ):
                job = dataclasses.replace(job, callback_url=request.callback_url)
                await uow.jobs.update(job)
                await uow.call_peer("POST", job.callback_url, callback_body(job), callback_key(job))
            elif not job.status.finished and job.callback_url != request.callback_url:
                # asked for again while it runs (a newer attempt of the caller's): the result
                # goes to the newest callback, which the run reads when it finishes
                job = dataclasses.replace(job, callback_url=request.callback_url)
                await uow.jobs.update(job)
            if key is not None:
                await uow.remember(key, JOBS_SCOPE, 202, {"job_id": str(job.id)})
            await uow.commit()
        return job

    async def _queue(self, job: SpellcheckJob) -> None:
        payload = {"job_id": str(job.id), "run": job.run}
        await self._uow.schedule(SPELLCHECK, payload, job_key(job), self._attempts.max_attempts)


@dataclass(frozen=True, slots=True)
class GetJobCommand:
    job_id: uuid.UUID


class GetJob:
    """A spellcheck job as it stands: status, run, figures, timings."""

    def __init__(self, uow: SpellcheckUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetJobCommand) -> SpellcheckJob:
        async with self._uow as uow:
            job = await uow.jobs.get(command.job_id)
        if job is None:
            raise _not_found(command.job_id)
        return job


@dataclass(frozen=True, slots=True)
class ListCorrectionsCommand:
    job_id: uuid.UUID
    limit: int = DEFAULT_CORRECTIONS_LIMIT
    cursor: str | None = None  # from the previous page's next_cursor


@dataclass(frozen=True, slots=True)
class ListCorrectionsResult:
    job_id: uuid.UUID
    items: list[StoredCorrection]
    next_cursor: str | None  # None on the last page


def _position_after(cursor: str | None) -> int | None:
    if not cursor:
        return None
    (position,) = decode_cursor(cursor, 1)
    # the position is compared with an integer column: past it is no cursor of ours either
    if not isinstance(position, int) or not 0 <= position <= INT32_MAX:
        raise InvalidInput("the cursor is not one this service issued")
    return position


class ListCorrections:
    """One page of a job's corrections, in text order."""

    def __init__(self, uow: SpellcheckUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListCorrectionsCommand) -> ListCorrectionsResult:
        limit = clamp_limit(command.limit)
        after = _position_after(command.cursor)
        async with self._uow as uow:
            if await uow.jobs.get(command.job_id) is None:
                raise _not_found(command.job_id)
            found = await uow.jobs.corrections(command.job_id, after=after, limit=limit + 1)
        shown = found[:limit]
        cursor = encode_cursor(shown[-1].position) if len(found) > limit else None
        return ListCorrectionsResult(command.job_id, shown, cursor)
