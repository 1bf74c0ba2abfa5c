"""essay_lifecycle HTTP API: internal commands and callbacks, public reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from dishka.integrations.base import FromDishka
from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit import correlation
from service_kit.fields import Int32, SafeJson, SafeText
from service_kit.pagination import clamp_limit, page, position_after
from services.essay_lifecycle import phases, service
from services.essay_lifecycle.domain import (
    Batch,
    Essay,
    EssayStatus,
    PhaseRun,
    TimelineEvent,
    require_phase,
)
from services.essay_lifecycle.phases import Peers
from services.essay_lifecycle.protocols import EssayUnitOfWork

blueprint = Blueprint("essays", __name__)


class BatchIn(BaseModel):
    batch_id: SafeText = Field(min_length=1, max_length=64)
    language: Literal["en", "sv", "auto"]  # auto: spell_checker detects it per essay
    callback_url: SafeText = Field(min_length=1, max_length=2000)
    expected_essay_count: Int32 | None = Field(default=None, ge=0)


class BatchOut(BaseModel):
    batch_id: str
    language: str | None
    callback_url: str | None
    expected_essay_count: int | None
    created_at: datetime

    @classmethod
    def of(cls, batch: Batch) -> BatchOut:
        return cls(
            batch_id=batch.id,
            language=batch.language,
            callback_url=batch.callback_url,
            expected_essay_count=batch.expected_essay_count,
            created_at=batch.created_at,
        )


class FileNoticeIn(BaseModel):
    file_id: SafeText = Field(min_length=1, max_length=64)
    filename: SafeText = Field(max_length=512)
    version: Int32 = Field(default=1, ge=1)
    text_content_id: SafeText | None = Field(default=None, max_length=64)
    raw_content_id: SafeText | None = Field(default=None, max_length=64)
    error_code: SafeText | None = Field(default=None, max_length=64)
    error_message: SafeText | None = None


class EssayOut(BaseModel):
    essay_id: uuid.UUID
    batch_id: str
    file_id: str
    filename: str
    status: EssayStatus
    version: int
    language: str | None
    file_version: int
    text_content_id: str | None
    raw_content_id: str | None
    corrected_text_content_id: str | None
    error_code: str | None
    error_message: str | None
    phase: str | None
    phase_attempt: int | None
    spelling: dict[str, Any] | None
    assessment: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, e: Essay) -> EssayOut:
        return cls(
            essay_id=e.id,
            batch_id=e.batch_id,
            file_id=e.file_id,
            filename=e.filename,
            status=e.status,
            version=e.version,
            language=e.language,
            file_version=e.file_version,
            text_content_id=e.text_content_id,
            raw_content_id=e.raw_content_id,
            corrected_text_content_id=e.corrected_text_content_id,
            error_code=e.error_code,
            error_message=e.error_message,
            phase=e.phase.value if e.phase else None,
            phase_attempt=e.phase_attempt,
            spelling=e.spelling,
            assessment=e.assessment,
            created_at=e.created_at,
            updated_at=e.updated_at,
        )


class PhaseCommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempt: Int32 = Field(default=1, ge=1)
    essay_ids: list[uuid.UUID] | None = None
    last_phase: bool = False
    settings: SafeJson = Field(default_factory=dict)


class PhaseRunOut(BaseModel):
    batch_id: str
    phase: str
    attempt: int
    status: str
    essay_count: int

    @classmethod
    def of(cls, run: PhaseRun) -> PhaseRunOut:
        return cls(
            batch_id=run.batch_id,
            phase=run.phase.value,
            attempt=run.attempt,
            status=run.status.value,
            essay_count=run.essay_count,
        )


class SpellcheckResultIn(BaseModel):
    """spell_checker's callback; figures beyond these are kept in the summary as they come."""

    model_config = ConfigDict(extra="allow")

    status: Literal["succeeded", "failed"]
    corrected_text_content_id: SafeText | None = Field(default=None, max_length=64)
    reason: SafeText | None = None


class AssessmentResultIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["succeeded", "completed", "failed"]
    ranking: list[SafeJson] = Field(default_factory=list)
    reason: SafeText | None = None


class AttemptQuery(BaseModel):
    attempt: Int32 = Field(default=1, ge=1)


class AppliedOut(BaseModel):
    applied: bool
    reason: str | None
    outcome_sent: bool


class CancelledOut(BaseModel):
    batch_id: str
    cancelled: int


class TimelineOut(BaseModel):
    essay_id: uuid.UUID
    events: list[dict[str, Any]]

    @classmethod
    def of(cls, essay_id: uuid.UUID, events: list[TimelineEvent]) -> TimelineOut:
        return cls(
            essay_id=essay_id,
            events=[
                {
                    "sequence": e.sequence,
                    "event": e.event,
                    "from_status": e.from_status.value if e.from_status else None,
                    "to_status": e.to_status.value,
                    "details": e.details,
                    "correlation_id": e.correlation_id,
                    "at": e.at.isoformat(),
                }
                for e in events
            ],
        )


class EssayListQuery(BaseModel):
    status: EssayStatus | None = None
    limit: int = 50
    cursor: str | None = None


class EssayPage(BaseModel):
    items: list[EssayOut]
    next_cursor: str | None


class SummaryOut(BaseModel):
    batch_id: str
    total: int
    expected_essay_count: int | None
    by_status: dict[str, int]
    terminal: int
    completion_percent: float
    phases: list[dict[str, Any]]


def _applied(result: phases.Applied) -> AppliedOut:
    return AppliedOut(
        applied=result.applied, reason=result.reason, outcome_sent=result.outcome_sent
    )


@blueprint.post("/internal/v1/batches")
@validate_request(BatchIn)
@validate_response(BatchOut, 201)
@inject
async def register_batch(data: BatchIn, uow: FromDishka[EssayUnitOfWork]) -> tuple[BatchOut, int]:
    batch = Batch(data.batch_id, data.language, data.expected_essay_count, data.callback_url)
    return BatchOut.of(await service.register_batch(uow, batch)), 201


@blueprint.post("/internal/v1/batches/<batch_id>/essays")
@validate_request(FileNoticeIn)
@validate_response(EssayOut, 201)
@validate_response(EssayOut, 200)
@inject
async def receive_file(
    batch_id: str, data: FileNoticeIn, uow: FromDishka[EssayUnitOfWork]
) -> tuple[EssayOut, int]:
    notice = service.FileNotice(**data.model_dump())
    essay, changed = await service.receive_file(uow, batch_id, notice, correlation.current())
    return EssayOut.of(essay), 201 if changed else 200


@blueprint.delete("/internal/v1/batches/<batch_id>/files/<file_id>")
@inject
async def withdraw_file(
    batch_id: str, file_id: str, uow: FromDishka[EssayUnitOfWork]
) -> dict[str, Any]:
    essay = await phases.withdraw_file(uow, batch_id, file_id, correlation.current())
    return {
        "essay_id": str(essay.id) if essay else None,
        "status": essay.status.value if essay else None,
    }


@blueprint.post("/internal/v1/batches/<batch_id>/phases/<phase>")
@validate_request(PhaseCommandIn)
@validate_response(PhaseRunOut, 202)
@inject
async def start_phase(
    batch_id: str,
    phase: str,
    data: PhaseCommandIn,
    uow: FromDishka[EssayUnitOfWork],
    peers: FromDishka[Peers],
) -> tuple[PhaseRunOut, int]:
    command = phases.PhaseCommand(data.attempt, data.essay_ids, data.last_phase, data.settings)
    run = await phases.start_phase(
        uow, peers, batch_id, require_phase(phase), command, correlation.current()
    )
    return PhaseRunOut.of(run), 202


@blueprint.post("/internal/v1/essays/<uuid:essay_id>/spellcheck-result")
@validate_querystring(AttemptQuery)
@validate_request(SpellcheckResultIn)
@validate_response(AppliedOut)
@inject
async def spellcheck_result(
    essay_id: uuid.UUID,
    query_args: AttemptQuery,
    data: SpellcheckResultIn,
    uow: FromDishka[EssayUnitOfWork],
) -> AppliedOut:
    summary = {k: v for k, v in data.model_dump().items() if k not in {"status", "reason"}}
    result = phases.SpellcheckResult(
        succeeded=data.status == "succeeded",
        corrected_text_content_id=data.corrected_text_content_id,
        summary=summary,
        reason=data.reason,
    )
    applied = await phases.spellcheck_result(
        uow, essay_id, query_args.attempt, result, correlation.current()
    )
    return _applied(applied)


@blueprint.post("/internal/v1/batches/<batch_id>/cj-result")
@validate_querystring(AttemptQuery)
@validate_request(AssessmentResultIn)
@validate_response(AppliedOut)
@inject
async def cj_result(
    batch_id: str,
    query_args: AttemptQuery,
    data: AssessmentResultIn,
    uow: FromDishka[EssayUnitOfWork],
) -> AppliedOut:
    summary = {
        k: v for k, v in data.model_dump().items() if k not in {"status", "reason", "ranking"}
    }
    result = phases.AssessmentResult(
        succeeded=data.status != "failed",
        ranking=data.ranking,
        reason=data.reason,
        summary=summary,
    )
    applied = await phases.assessment_result(
        uow, batch_id, query_args.attempt, result, correlation.current()
    )
    return _applied(applied)


@blueprint.post("/internal/v1/batches/<batch_id>/cancel")
@validate_response(CancelledOut)
@inject
async def cancel_batch(batch_id: str, uow: FromDishka[EssayUnitOfWork]) -> CancelledOut:
    count = await phases.cancel_batch(uow, batch_id, correlation.current())
    return CancelledOut(batch_id=batch_id, cancelled=count)


@blueprint.get("/v1/essays/<uuid:essay_id>")
@validate_response(EssayOut)
@inject
async def get_essay(essay_id: uuid.UUID, uow: FromDishka[EssayUnitOfWork]) -> EssayOut:
    return EssayOut.of(await service.get_essay(uow, essay_id))


@blueprint.get("/v1/essays/<uuid:essay_id>/timeline")
@validate_response(TimelineOut)
@inject
async def get_timeline(essay_id: uuid.UUID, uow: FromDishka[EssayUnitOfWork]) -> TimelineOut:
    return TimelineOut.of(essay_id, await service.timeline(uow, essay_id))


@blueprint.get("/v1/batches/<batch_id>/essays")
@validate_querystring(EssayListQuery)
@validate_response(EssayPage)
@inject
async def list_essays(
    batch_id: str, query_args: EssayListQuery, uow: FromDishka[EssayUnitOfWork]
) -> EssayPage:
    limit = clamp_limit(query_args.limit)
    essays = await service.list_essays(
        uow,
        batch_id,
        status=query_args.status,
        after=position_after(query_args.cursor),
        limit=limit + 1,
    )
    shown, cursor = page(essays, limit, lambda e: (e.created_at, e.id))
    return EssayPage(items=[EssayOut.of(e) for e in shown], next_cursor=cursor)


@blueprint.get("/v1/batches/<batch_id>/summary")
@validate_response(SummaryOut)
@inject
async def batch_summary(batch_id: str, uow: FromDishka[EssayUnitOfWork]) -> SummaryOut:
    found = await service.summary(uow, batch_id)
    return SummaryOut(
        batch_id=found.batch_id,
        total=found.total,
        expected_essay_count=found.expected_essay_count,
        by_status=found.by_status,
        terminal=found.terminal,
        completion_percent=found.completion_percent,
        phases=found.phases,
    )
