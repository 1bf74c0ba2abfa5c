"""spell_checker use cases for the API: check a text now, ask for a job, read jobs.

No HTTP, no SQL. Checking is CPU-bound, so it runs in a thread: the event loop keeps
answering other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid

from service_kit.errors import NotFound
from service_kit.language import resolve_language
from services.spell_checker import checking, metrics
from services.spell_checker.checking import CheckResult, SpellChecker
from services.spell_checker.domain import (
    SPELLCHECK,
    JobRequest,
    SpellcheckJob,
    SpellcheckStatus,
    StoredCorrection,
    callback_body,
    callback_key,
    check_length,
    job_key,
    new_job,
    now,
    unknown_language,
)
from services.spell_checker.protocols import SpellcheckUnitOfWork

JOBS_SCOPE = "POST /v1/jobs"


def checker(language: str) -> SpellChecker:
    """The process's checker for the language, or the 422 that lists the supported ones."""
    try:
        return checking.checker_for(language)
    except checking.UnsupportedLanguage as exc:
        raise unknown_language(language, tuple(exc.supported)) from exc


async def run_check(
    spell: SpellChecker,
    text: str,
    *,
    language: str,
    ignore: tuple[str, ...],
    check_names: bool,
    source: str,
) -> tuple[CheckResult, float]:
    """Check in a worker thread; the result and the seconds the engine took."""
    started = time.perf_counter()
    result = await asyncio.to_thread(spell.check, text, ignore=ignore, check_names=check_names)
    elapsed = time.perf_counter() - started
    label = metrics.language_label(language)
    metrics.CHECK_DURATION.labels(label, source).observe(elapsed)
    metrics.WORDS_CHECKED.labels(label, source).inc(result.word_count)
    return result, elapsed


async def check_text(
    text: str,
    language: str,
    *,
    ignore: tuple[str, ...] = (),
    check_names: bool = False,
    max_chars: int,
) -> tuple[CheckResult, str]:
    """The check and the language it was made in (detected when asked for "auto")."""
    check_length(text, max_chars)
    language = resolve_language(language, text)
    spell = checker(language)
    result, _ = await run_check(
        spell, text, language=language, ignore=ignore, check_names=check_names, source="check"
    )
    return result, language


async def _queue(uow: SpellcheckUnitOfWork, job: SpellcheckJob, max_attempts: int) -> None:
    payload = {"job_id": str(job.id), "run": job.run}
    await uow.schedule(SPELLCHECK, payload, job_key(job), max_attempts)


def _run_again(job: SpellcheckJob, request: JobRequest) -> SpellcheckJob:
    """A failed job asked for again: the same id, the next run, the new request's settings
    and callback, and none of the failed run's outcome."""
    return dataclasses.replace(
        job,
        language=request.language,
        callback_url=request.callback_url,
        ignore=request.ignore,
        check_names=request.check_names,
        status=SpellcheckStatus.QUEUED,
        run=job.run + 1,
        reason=None,
        word_count=None,
        error_count=None,
        errors_per_100_words=None,
        corrections_count=None,
        corrected_text_content_id=None,
        check_ms=None,
        queued_at=now(),
        started_at=None,
        finished_at=None,
    )


async def submit_job(
    uow: SpellcheckUnitOfWork,
    request: JobRequest,
    *,
    idempotency_key: str | None,
    max_attempts: int,
) -> SpellcheckJob:
    """One job per essay text. Asked again: a failed job runs again, a succeeded one sends
    its result to a new callback URL, anything else is answered as it stands."""
    async with uow:
        if idempotency_key is not None:
            answer = await uow.replay(idempotency_key, JOBS_SCOPE)
            if answer is not None:
                first = await uow.jobs.get(uuid.UUID(answer.body["job_id"]))
                if first is not None:
                    return first
        job, created = await uow.jobs.add_or_get(new_job(request))
        if created:
            await _queue(uow, job, max_attempts)
        elif job.status is SpellcheckStatus.FAILED:
            job = _run_again(job, request)
            await uow.jobs.update(job)
            await _queue(uow, job, max_attempts)
        elif job.status is SpellcheckStatus.SUCCEEDED and job.callback_url != request.callback_url:
            job = dataclasses.replace(job, callback_url=request.callback_url)
            await uow.jobs.update(job)
            await uow.call_peer("POST", job.callback_url, callback_body(job), callback_key(job))
        elif not job.status.finished and job.callback_url != request.callback_url:
            # asked for again while it runs (a newer attempt of the caller's): the result
            # goes to the newest callback, which the run reads when it finishes
            job = dataclasses.replace(job, callback_url=request.callback_url)
            await uow.jobs.update(job)
        if idempotency_key is not None:
            await uow.remember(idempotency_key, JOBS_SCOPE, 202, {"job_id": str(job.id)})
        await uow.commit()
    return job


async def get_job(uow: SpellcheckUnitOfWork, job_id: uuid.UUID) -> SpellcheckJob:
    async with uow:
        job = await uow.jobs.get(job_id)
    if job is None:
        raise NotFound(f"no spellcheck job with id {job_id}")
    return job


async def job_corrections(
    uow: SpellcheckUnitOfWork, job_id: uuid.UUID, *, after: int | None, limit: int
) -> list[StoredCorrection]:
    async with uow:
        if await uow.jobs.get(job_id) is None:
            raise NotFound(f"no spellcheck job with id {job_id}")
        return await uow.jobs.corrections(job_id, after=after, limit=limit)
