"""The spellcheck job: fetch the essay's text, check it, store the corrected text, record
the outcome and tell the caller, in that order.

Each step is safe to repeat after a crash: starting keeps the first start time; fetching
and checking change nothing; content_service keeps one corrected-text document per
Idempotency-Key; the outcome is written compare-and-set on the run (figures, corrections
and the callback in one transaction, only if that run has no outcome yet), so a repeat
writes nothing and sends nothing twice. A failure is recorded the same way, with a reason.
"""

from __future__ import annotations

import dataclasses
import uuid

from dishka import AsyncContainer

from service_kit.language import AUTO, resolve_language
from service_kit.logging import get_logger
from service_kit.messaging.jobs import Job
from services.spell_checker import checking, metrics, service
from services.spell_checker.config import Settings
from services.spell_checker.domain import (
    FAULT_REASON,
    ContentMissing,
    ContentRefused,
    ContentUnavailable,
    SpellcheckJob,
    SpellcheckStatus,
    StoredCorrection,
    callback_body,
    callback_key,
    corrected_text_key,
    now,
)
from services.spell_checker.protocols import ContentStore, SpellcheckUnitOfWork

log = get_logger("spell_checker.worker")


class Faults:
    """SPELL_CHECKER_FAULT_FAIL_FIRST_RUNS: the first N jobs this process runs for the first
    time (run 1) fail, so end-to-end tests can drive the retry path. Off by default."""

    def __init__(self, fail_first_runs: int = 0) -> None:
        self._left = fail_first_runs
        self._failed: set[uuid.UUID] = set()

    def fails(self, job: SpellcheckJob) -> bool:
        if job.run != 1:
            return False
        if job.id in self._failed:
            return True  # the same run picked up again after a crash fails the same way
        if self._left <= 0:
            return False
        self._left -= 1
        self._failed.add(job.id)
        return True


async def check_essay(
    uow: SpellcheckUnitOfWork,
    content: ContentStore,
    faults: Faults,
    job_id: uuid.UUID,
    run: int,
    *,
    max_chars: int,
    last_attempt: bool,
) -> None:
    async with uow:
        job = await uow.jobs.start(job_id, run, now())
        await uow.commit()
    if job is None:
        return  # that run has its outcome already, or the job was asked for again since
    if faults.fails(job):
        await _fail(uow, job, FAULT_REASON)
        return
    if job.language != AUTO and job.language not in checking.SUPPORTED_LANGUAGES:
        supported = ", ".join(checking.SUPPORTED_LANGUAGES)
        await _fail(uow, job, f"unsupported language {job.language!r}; supported: {supported}")
        return
    try:
        text = await content.fetch_text(job.content_id)
        if len(text) > max_chars:
            await _fail(uow, job, f"the text has {len(text)} characters; at most {max_chars}")
            return
        job = dataclasses.replace(job, language=resolve_language(job.language, text))
        spell = checking.checker_for(job.language)
        result, elapsed = await service.run_check(
            spell,
            text,
            language=job.language,
            ignore=job.ignore,
            check_names=job.check_names,
            source="job",
        )
        corrected_id = await content.store_corrected_text(
            job, result.corrected_text, corrected_text_key(job)
        )
    except ContentMissing as exc:
        await _fail(uow, job, f"the essay's text cannot be fetched: {exc}")
        return
    except ContentRefused as exc:
        await _fail(uow, job, f"content_service refused the request: {exc}")
        return
    except ContentUnavailable as exc:
        if not last_attempt:
            raise
        await _fail(uow, job, f"content_service unavailable: {exc}")
        return
    done = dataclasses.replace(
        job,
        status=SpellcheckStatus.SUCCEEDED,
        word_count=result.word_count,
        error_count=result.error_count,
        errors_per_100_words=result.errors_per_100_words,
        corrections_count=len(result.corrections),
        corrected_text_content_id=corrected_id,
        check_ms=round(elapsed * 1000, 3),
        finished_at=now(),
    )
    corrections = [
        StoredCorrection(
            job.id, position, c.start, c.end, c.original, c.suggestion, tuple(c.candidates)
        )
        for position, c in enumerate(result.corrections)
    ]
    if await _finish(uow, done, corrections):
        metrics.CORRECTIONS_PER_ESSAY.labels(metrics.language_label(job.language)).observe(
            len(corrections)
        )


async def give_up(uow: SpellcheckUnitOfWork, job_id: uuid.UUID, run: int, reason: str) -> None:
    """The run cannot finish (its last attempt failed, or its workers kept dying): it fails
    with the reason and the caller is told, so no essay waits for it forever."""
    async with uow:
        job = await uow.jobs.get(job_id)
    if job is not None and job.run == run and not job.status.finished:
        await _fail(uow, job, reason)


async def _fail(uow: SpellcheckUnitOfWork, job: SpellcheckJob, reason: str) -> None:
    failed = dataclasses.replace(
        job, status=SpellcheckStatus.FAILED, reason=reason[:2000], finished_at=now()
    )
    if await _finish(uow, failed, []):
        log.warning("spellcheck_failed", job_id=str(job.id), run=job.run, reason=reason)


async def _finish(
    uow: SpellcheckUnitOfWork, job: SpellcheckJob, corrections: list[StoredCorrection]
) -> bool:
    async with uow:
        callback_url = await uow.jobs.finish(job, corrections)
        if callback_url is None:
            return False  # an earlier attempt wrote this run's outcome and queued its callback
        job = dataclasses.replace(job, callback_url=callback_url)
        await uow.call_peer("POST", job.callback_url, callback_body(job), callback_key(job))
        await uow.commit()
    metrics.JOBS.labels(metrics.language_label(job.language), job.status.value).inc()
    return True


async def run_spellcheck(job: Job, container: AsyncContainer) -> None:
    """The ``spellcheck`` job handler the app registers with service_kit's workers."""
    job_id, run = uuid.UUID(job.payload["job_id"]), int(job.payload["run"])
    async with container() as scope:
        uow = await scope.get(SpellcheckUnitOfWork)
        if job.exhausted:
            await give_up(uow, job_id, run, "gave up: the check kept crashing its workers")
            return
        settings = await scope.get(Settings)
        try:
            await check_essay(
                uow,
                await scope.get(ContentStore),
                await scope.get(Faults),
                job_id,
                run,
                max_chars=settings.max_text_chars,
                last_attempt=job.last_attempt,
            )
        except Exception as exc:
            if not job.last_attempt:
                raise
            await give_up(uow, job_id, run, f"checking failed: {type(exc).__name__}: {exc}")
