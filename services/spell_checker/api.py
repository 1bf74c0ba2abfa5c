"""spell_checker HTTP API: validate, call a use case, shape the answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from dishka.integrations.base import FromDishka
from pydantic import BaseModel, ConfigDict, Field, field_validator
from quart import Blueprint, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.errors import InvalidInput
from service_kit.fields import INT32_MAX, SafeText
from service_kit.messaging import inbox
from service_kit.pagination import clamp_limit, decode_cursor, encode_cursor
from services.spell_checker import service
from services.spell_checker.checking import CheckResult
from services.spell_checker.config import Settings
from services.spell_checker.domain import JobRequest, SpellcheckJob, StoredCorrection
from services.spell_checker.protocols import SpellcheckUnitOfWork

blueprint = Blueprint("spell_checker", __name__)
MAX_IGNORED_WORDS = 1000


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: str = Field(min_length=1, max_length=16)
    ignore: list[str] = Field(default_factory=list, max_length=MAX_IGNORED_WORDS)
    check_names: bool = False


class CorrectionOut(BaseModel):
    start: int
    end: int
    original: str
    suggestion: str
    candidates: list[str]


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

    @classmethod
    def of(cls, result: CheckResult, language: str) -> CheckOut:
        # model_construct: the engine's figures need no validation on the hot path
        return cls.model_construct(
            language=language,
            corrected_text=result.corrected_text,
            corrections=[
                CorrectionOut.model_construct(
                    start=c.start,
                    end=c.end,
                    original=c.original,
                    suggestion=c.suggestion,
                    candidates=list(c.candidates),
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
        )


class JobIn(BaseModel):
    # essay_lifecycle passes the batch's spellcheck settings along; unknown ones are ignored
    model_config = ConfigDict(extra="ignore")

    essay_id: SafeText = Field(min_length=1, max_length=64)
    batch_id: SafeText = Field(min_length=1, max_length=64)
    content_id: SafeText = Field(min_length=1, max_length=64)
    language: SafeText = Field(min_length=1, max_length=16)
    callback_url: SafeText = Field(min_length=1, max_length=2048)
    ignore: list[SafeText] = Field(default_factory=list, max_length=MAX_IGNORED_WORDS)
    check_names: bool = False

    @field_validator("callback_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("the callback URL must be an http:// or https:// URL")
        return value


class JobOut(BaseModel):
    job_id: uuid.UUID
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
    corrected_text_content_id: str | None
    check_ms: float | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: SpellcheckJob) -> JobOut:
        return cls(
            job_id=job.id,
            status=job.status.value,
            essay_id=job.essay_id,
            batch_id=job.batch_id,
            content_id=job.content_id,
            language=job.language,
            callback_url=job.callback_url,
            ignore=list(job.ignore),
            check_names=job.check_names,
            run=job.run,
            reason=job.reason,
            word_count=job.word_count,
            error_count=job.error_count,
            errors_per_100_words=job.errors_per_100_words,
            corrections_count=job.corrections_count,
            corrected_text_content_id=job.corrected_text_content_id,
            check_ms=job.check_ms,
            queued_at=job.queued_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class StoredCorrectionOut(CorrectionOut):
    position: int

    @classmethod
    def of(cls, c: StoredCorrection) -> StoredCorrectionOut:
        return cls(
            position=c.position,
            start=c.start,
            end=c.end,
            original=c.original,
            suggestion=c.suggestion,
            candidates=list(c.candidates),
        )


class CorrectionPage(BaseModel):
    job_id: uuid.UUID
    items: list[StoredCorrectionOut]
    next_cursor: str | None


class CorrectionQuery(BaseModel):
    limit: int = 100
    cursor: str | None = None


def _position_after(cursor: str | None) -> int | None:
    if not cursor:
        return None
    (position,) = decode_cursor(cursor, 1)
    # the position is compared with an integer column: past it is no cursor of ours either
    if not isinstance(position, int) or not 0 <= position <= INT32_MAX:
        raise InvalidInput("the cursor is not one this service issued")
    return position


@blueprint.post("/v1/check")
@validate_request(CheckIn)
@validate_response(CheckOut)
@inject
async def check(data: CheckIn, settings: FromDishka[Settings]) -> CheckOut:
    result, language = await service.check_text(
        data.text,
        data.language,
        ignore=tuple(data.ignore),
        check_names=data.check_names,
        max_chars=settings.max_text_chars,
    )
    return CheckOut.of(result, language)


@blueprint.post("/v1/jobs")
@validate_request(JobIn)
@validate_response(JobOut, 202)
@inject
async def submit_job(
    data: JobIn, uow: FromDishka[SpellcheckUnitOfWork], settings: FromDishka[Settings]
) -> tuple[JobOut, int]:
    key = request.headers.get(inbox.IDEMPOTENCY_HEADER)
    job = await service.submit_job(
        uow,
        JobRequest(
            essay_id=data.essay_id,
            batch_id=data.batch_id,
            content_id=data.content_id,
            language=data.language,
            callback_url=data.callback_url,
            ignore=tuple(data.ignore),
            check_names=data.check_names,
        ),
        idempotency_key=None if key is None else inbox.require_key(key),
        max_attempts=settings.job_max_attempts,
    )
    return JobOut.of(job), 202


@blueprint.get("/v1/jobs/<uuid:job_id>")
@validate_response(JobOut)
@inject
async def get_job(job_id: uuid.UUID, uow: FromDishka[SpellcheckUnitOfWork]) -> JobOut:
    return JobOut.of(await service.get_job(uow, job_id))


@blueprint.get("/v1/jobs/<uuid:job_id>/corrections")
@validate_querystring(CorrectionQuery)
@validate_response(CorrectionPage)
@inject
async def corrections(
    job_id: uuid.UUID, query_args: CorrectionQuery, uow: FromDishka[SpellcheckUnitOfWork]
) -> CorrectionPage:
    limit = clamp_limit(query_args.limit)
    found = await service.job_corrections(
        uow, job_id, after=_position_after(query_args.cursor), limit=limit + 1
    )
    shown = found[:limit]
    cursor = encode_cursor(shown[-1].position) if len(found) > limit else None
    return CorrectionPage(
        job_id=job_id, items=[StoredCorrectionOut.of(c) for c in shown], next_cursor=cursor
    )
