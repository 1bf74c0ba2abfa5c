"""A spellcheck job's run: fetch the essay's text, check it, store the corrected text, record
the outcome and tell the caller, in that order; or give the run up with a reason.

Each step is safe to repeat after a crash: starting keeps the first start time; fetching
and checking change nothing; content_service keeps one corrected-text document per
Idempotency-Key; the outcome is written compare-and-set on the run (figures, corrections
and the callback in one transaction, only if that run has no outcome yet), so a repeat
writes nothing and sends nothing twice. A failure is recorded the same way, with a reason.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.language import AUTO, resolve_language
from service_kit.logging import get_logger
from services.spell_checker import metrics
from services.spell_checker.config import TextLimit
from services.spell_checker.domain import (
    ContentMissing,
    ContentRefused,
    ContentUnavailable,
    SpellcheckJob,
    SpellcheckStatus,
    StoredCorrection,
    callback_body,
    callback_key,
    corrected_text_key,
    failed,
)
from services.spell_checker.protocols import ContentStore, SpellcheckUnitOfWork
from services.spell_checker.spelling import SUPPORTED_LANGUAGES, checker_for
from services.spell_checker.use_cases.checks import check_in_thread

log = get_logger("spell_checker.runs")


@dataclass(frozen=True, slots=True)
class RunSpellcheckCommand:
    job_id: uuid.UUID
    run: int
    last_attempt: bool = False  # content_service unavailable now fails the run, not retries


class RunSpellcheck:
    """Check one run of a spellcheck job. What content_service says and what the job asks
    for fail the run with a reason, except ContentUnavailable before the last attempt, which
    is raised for the job queue to try again later; any other error is raised too (the job
    entry point gives the run up on its last attempt)."""

    def __init__(
        self, uow: SpellcheckUnitOfWork, content: ContentStore, limit: TextLimit, clock: Clock
    ) -> None:
        self._uow = uow
        self._content = content
        self._limit = limit
        self._clock = clock

    async def execute(self, command: RunSpellcheckCommand) -> None:
        uow, content, max_chars = self._uow, self._content, self._limit.max_chars
        async with uow:
            job = await uow.jobs.start(command.job_id, command.run, self._clock.now())
            await uow.commit()
        if job is None:
            return  # that run has its outcome already, or the job was asked for again since
        if job.language != AUTO and job.language not in SUPPORTED_LANGUAGES:
            supported = ", ".join(SUPPORTED_LANGUAGES)
            reason = f"unsupported language {job.language!r}; supported: {supported}"
            await fail_run(uow, self._clock, job, reason)
            return
        try:
            text = await content.fetch_text(job.content_id)
            if len(text) > max_chars:
                reason = f"the text has {len(text)} characters; at most {max_chars}"
                await fail_run(uow, self._clock, job, reason)
                return
            job = dataclasses.replace(job, language=resolve_language(job.language, text))
            result, elapsed = await check_in_thread(
                checker_for(job.language),
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
            await fail_run(uow, self._clock, job, f"the essay's text cannot be fetched: {exc}")
            return
        except ContentRefused as exc:
            await fail_run(uow, self._clock, job, f"content_service refused the request: {exc}")
            return
        except ContentUnavailable as exc:
            if not command.last_attempt:
                raise
            await fail_run(uow, self._clock, job, f"content_service unavailable: {exc}")
            return
        done = dataclasses.replace(
            job,
            status=SpellcheckStatus.SUCCEEDED,
            word_count=result.word_count,
            error_count=result.error_count,
            errors_per_100_words=result.errors_per_100_words,
            corrections_count=len(result.corrections),
            corrected_count=result.corrected_count,
            flagged_count=result.flagged_count,
            unknown_count=result.unknown_count,
            corrected_text_content_id=corrected_id,
            check_ms=round(elapsed * 1000, 3),
            finished_at=self._clock.now(),
        )
        corrections = [
            StoredCorrection(
                job.id,
                position,
                c.start,
                c.end,
                c.original,
                c.suggestion,
                tuple(c.candidates),
                c.applied,
            )
            for position, c in enumerate(result.corrections)
        ]
        if await _finish(uow, done, corrections):
            metrics.CORRECTIONS_PER_ESSAY.labels(metrics.language_label(job.language)).observe(
                len(corrections)
            )


@dataclass(frozen=True, slots=True)
class GiveUpSpellcheckCommand:
    job_id: uuid.UUID
    run: int
    reason: str


class GiveUpSpellcheck:
    """The run cannot finish (its last attempt failed, or its workers kept dying): it fails
    with the reason and the caller is told, so no essay waits for it forever. A run that
    has its outcome already, or is no longer the job's current one, is left alone."""

    def __init__(self, uow: SpellcheckUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: GiveUpSpellcheckCommand) -> None:
        async with self._uow as uow:
            job = await uow.jobs.get(command.job_id)
        if job is not None and job.run == command.run and not job.status.finished:
            await fail_run(self._uow, self._clock, job, command.reason)


async def fail_run(
    uow: SpellcheckUnitOfWork, clock: Clock, job: SpellcheckJob, reason: str
) -> None:
    if await _finish(uow, failed(job, reason, clock.now()), []):
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
