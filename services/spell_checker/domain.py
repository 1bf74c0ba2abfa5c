"""spell_checker's domain: spellcheck jobs for essays, their runs, figures and corrections.

Pure Python: no Quart, no SQLAlchemy. The checking itself is the `spelling` package.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contracts.spellcheck import SpellcheckResultIn
from service_kit.errors import DomainError, InvalidInput

SPELLCHECK = "spellcheck"  # the durable job's kind
MAX_REASON_CHARS = 2000


class SpellcheckStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (SpellcheckStatus.SUCCEEDED, SpellcheckStatus.FAILED)


@dataclass(frozen=True)
class JobRequest:
    """What a caller (essay_lifecycle) asks: check this essay's text, tell this URL."""

    essay_id: str
    batch_id: str
    content_id: str
    language: str
    callback_url: str
    ignore: tuple[str, ...] = ()
    check_names: bool = False


@dataclass(frozen=True)
class SpellcheckJob:
    id: uuid.UUID
    essay_id: str
    batch_id: str
    content_id: str
    language: str
    callback_url: str
    ignore: tuple[str, ...] = ()
    check_names: bool = False
    status: SpellcheckStatus = SpellcheckStatus.QUEUED
    run: int = 1  # a failed job asked for again runs again under the same id
    reason: str | None = None
    word_count: int | None = None
    error_count: int | None = None
    errors_per_100_words: float | None = None
    corrections_count: int | None = None
    # error_count split: written into the corrected text, flagged with candidates but left
    # as written (not sure enough); and unknown words with no candidate, not in error_count
    corrected_count: int | None = None
    flagged_count: int | None = None
    unknown_count: int | None = None
    corrected_text_content_id: str | None = None
    check_ms: float | None = None
    # the use cases set it from their Clock; the default is for a job built by hand
    queued_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class StoredCorrection:
    """One corrected word of a job's text; ``position`` orders them within the job."""

    job_id: uuid.UUID
    position: int
    start: int
    end: int
    original: str
    suggestion: str
    candidates: tuple[str, ...]
    applied: bool = True  # written into the corrected text; otherwise only flagged


def new_job(request: JobRequest, at: datetime) -> SpellcheckJob:
    return SpellcheckJob(
        id=uuid.uuid4(),
        essay_id=request.essay_id,
        batch_id=request.batch_id,
        content_id=request.content_id,
        language=request.language,
        callback_url=request.callback_url,
        ignore=request.ignore,
        check_names=request.check_names,
        queued_at=at,
    )


def run_again(job: SpellcheckJob, request: JobRequest, at: datetime) -> SpellcheckJob:
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
        corrected_count=None,
        flagged_count=None,
        unknown_count=None,
        corrected_text_content_id=None,
        check_ms=None,
        queued_at=at,
        started_at=None,
        finished_at=None,
    )


def failed(job: SpellcheckJob, reason: str, at: datetime) -> SpellcheckJob:
    """The run's outcome when it cannot succeed: the reason is told to the caller."""
    return dataclasses.replace(
        job, status=SpellcheckStatus.FAILED, reason=reason[:MAX_REASON_CHARS], finished_at=at
    )


def job_key(job: SpellcheckJob) -> str:
    """The durable job of one run: a re-queued job gets a new one."""
    return f"{SPELLCHECK}:{job.id}:run{job.run}"


def callback_key(job: SpellcheckJob) -> str:
    """One callback per run and destination: a result sent again to a new callback URL is a
    new call, while a repeat of the same step is the same call (the outbox keeps one)."""
    target = hashlib.sha256(job.callback_url.encode()).hexdigest()[:16]
    return f"{SPELLCHECK}:{job.id}:run{job.run}:{target}"


def corrected_text_key(job: SpellcheckJob) -> str:
    """content_service's Idempotency-Key for the corrected text: a repeated step, or a later
    run of the same job, gets the document the first one made."""
    return f"{SPELLCHECK}:{job.id}:corrected_text"


def callback_body(job: SpellcheckJob) -> dict[str, Any]:
    """What essay_lifecycle's spellcheck-result endpoint receives: its ``SpellcheckResultIn``,
    as JSON, with exactly the fields set here."""
    if job.status is SpellcheckStatus.SUCCEEDED:
        result = SpellcheckResultIn(
            status="succeeded",
            job_id=str(job.id),
            language=job.language,  # the detected one when the job asked for "auto"
            corrected_text_content_id=job.corrected_text_content_id,
            word_count=job.word_count,
            error_count=job.error_count,
            errors_per_100_words=job.errors_per_100_words,
            corrections_count=job.corrections_count,
        )
        # a job finished before these counts existed has none: they are left out, not null
        for name in ("corrected_count", "flagged_count", "unknown_count"):
            value = getattr(job, name)
            if value is not None:
                setattr(result, name, value)
    elif job.status is SpellcheckStatus.FAILED:
        result = SpellcheckResultIn(status="failed", job_id=str(job.id), reason=job.reason)
    else:
        raise ValueError(f"job {job.id} has no outcome yet ({job.status.value})")
    return result.model_dump(mode="json", exclude_unset=True)


class TextTooLong(DomainError):
    status = 413
    title = "Text too long"


class UnknownLanguage(InvalidInput):
    title = "Unsupported language"


def check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise TextTooLong(
            f"the text has {len(text)} characters; at most {limit} are checked at once",
            limit=limit,
        )


def unknown_language(language: str, supported: tuple[str, ...]) -> UnknownLanguage:
    return UnknownLanguage(
        f"no dictionary for language {language!r}; supported: {', '.join(supported)}",
        supported=list(supported),
    )


# ---------------------------------------------------------------- what peers can answer


class ContentMissing(Exception):
    """content_service has no such content: checking it can never succeed."""


class ContentUnavailable(Exception):
    """content_service could not answer now; the job is tried again later."""


class ContentRefused(Exception):
    """content_service will never accept this request."""
