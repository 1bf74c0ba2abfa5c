"""spell_checker's HTTP request and response models (their class names are the OpenAPI
component names), built from the use cases' results by ``from_attributes`` or ``of``.
``JobIn`` is essay_lifecycle's message, the contract (``contracts.spellcheck``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from contracts.spellcheck import MAX_IGNORED_WORDS, JobIn
from service_kit.fields import Int32, SafeText
from services.spell_checker.domain import JobRequest
from services.spell_checker.use_cases import CheckTextResult

__all__ = [
    "CheckIn",
    "CheckOut",
    "CorrectionOut",
    "CorrectionPage",
    "CorrectionQuery",
    "JobIn",  # essay_lifecycle's job request: the contract, as both sides import it
    "JobOut",
    "StoredCorrectionOut",
    "UnknownOut",
    "job_request",
]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: SafeText
    language: SafeText = Field(min_length=1, max_length=16)
    ignore: list[SafeText] = Field(default_factory=list, max_length=MAX_IGNORED_WORDS)
    check_names: bool = False


class CorrectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    start: int
    end: int
    original: str
    suggestion: str
    candidates: list[str]
    applied: bool = True  # written into corrected_text; false: flagged, left as written


class UnknownOut(BaseModel):
    start: int
    end: int
    original: str


class CheckOut(BaseModel):
    language: str
    corrected_text: str
    corrections: list[CorrectionOut]
    word_count: int
    error_count: int
    errors_per_100_words: float
    unknown_words: list[UnknownOut] = Field(default_factory=list)
    unknown_count: int = 0
    corrected_count: int = 0
    flagged_count: int = 0

    @classmethod
    def of(cls, checked: CheckTextResult) -> CheckOut:
        # model_construct: the engine's figures need no validation on the hot path
        result = checked.check
        return cls.model_construct(
            language=checked.language,
            corrected_text=result.corrected_text,
            corrections=[
                CorrectionOut.model_construct(
                    start=c.start,
                    end=c.end,
                    original=c.original,
                    suggestion=c.suggestion,
                    candidates=list(c.candidates),
                    applied=c.applied,
                )
                for c in result.corrections
            ],
            word_count=result.word_count,
            error_count=result.error_count,
            errors_per_100_words=result.errors_per_100_words,
            unknown_words=[
                UnknownOut.model_construct(start=u.start, end=u.end, original=u.original)
                for u in result.unknown
            ],
            unknown_count=result.unknown_count,
            corrected_count=result.corrected_count,
            flagged_count=result.flagged_count,
        )


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    # the domain's job calls it ``id``
    job_id: uuid.UUID = Field(validation_alias=AliasChoices("job_id", "id"))
    status: str
    essay_id: str
    batch_id: str
    content_id: str
    language: str
    callback_url: str
    ignore: list[str]
    check_names: bool
    run: int
    reason: str | None
    word_count: int | None
    error_count: int | None
    errors_per_100_words: float | None
    corrections_count: int | None
    corrected_count: int | None
    flagged_count: int | None
    unknown_count: int | None
    corrected_text_content_id: str | None
    check_ms: float | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class StoredCorrectionOut(CorrectionOut):
    position: int


class CorrectionPage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    job_id: uuid.UUID
    items: list[StoredCorrectionOut]
    next_cursor: str | None


def job_request(data: JobIn) -> JobRequest:
    """The job essay_lifecycle asks for, in the domain's terms."""
    return JobRequest(
        essay_id=data.essay_id,
        batch_id=data.batch_id,
        content_id=data.content_id,
        language=data.language,
        callback_url=data.callback_url,
        ignore=tuple(data.ignore),
        check_names=data.check_names,
    )


class CorrectionQuery(BaseModel):
    limit: Int32 = 100
    cursor: SafeText | None = None
