"""batch_orchestrator HTTP API: what a teacher's client talks to, plus ELS's outcomes."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Any, Literal

from dishka.integrations.base import FromDishka
from pydantic import BaseModel, ConfigDict, Field, model_validator
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.errors import DomainError, InvalidInput
from service_kit.fields import SafeText
from service_kit.pagination import clamp_limit, page, position_after
from services.batch_orchestrator import service
from services.batch_orchestrator.domain import (
    Batch,
    BatchStatus,
    EssayResult,
    Outcome,
    PhaseAttempt,
    PhaseState,
    resolve_pipeline,
)
from services.batch_orchestrator.protocols import EssayCounts, FileIntake, OrchestratorUnitOfWork
from services.batch_orchestrator.service import Peers

blueprint = Blueprint("batches", __name__)
USER_HEADER = "X-User-ID"


class MissingUser(DomainError):
    status = 401
    title = "User required"


def caller() -> str | None:
    """The teacher a request acts for; None for a service-to-service call."""
    user = request.headers.get(USER_HEADER)
    return user[:128] if user else None


def creator() -> str:
    user = caller()
    if user is None:
        raise MissingUser(f"send {USER_HEADER}: a batch belongs to the user who creates it")
    return user


class Anchor(BaseModel):
    """An essay of known grade that cj_assessment judges with the batch's essays."""

    grade: SafeText = Field(min_length=1, max_length=16)
    text: SafeText | None = Field(default=None, min_length=1)
    content_id: SafeText | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_source(self) -> Anchor:
        if (self.text is None) == (self.content_id is None):
            raise ValueError("an anchor needs exactly one of text and content_id")
        return self


class CjSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    judge: Literal["human", "llm", "baseline"] = "baseline"
    max_comparisons_per_essay: int = Field(default=20, ge=1, le=500)
    min_comparisons_per_essay: int = Field(default=5, ge=1, le=500)
    target_reliability: float = Field(default=0.8, gt=0, lt=1)
    anchors: list[Anchor] = Field(default_factory=list)
    grade_scale: list[SafeText] | None = None
    instructions: SafeText | None = Field(default=None, max_length=10_000)


class SpellcheckSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ignore: list[SafeText] = Field(default_factory=list, max_length=1000)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SafeText = Field(min_length=1, max_length=200)
    # "auto": spell_checker tells English from Swedish per essay, for mixed-language batches
    language: Literal["en", "sv", "auto"]
    pipeline: SafeText | list[SafeText] = "full"
    expected_essay_count: int | None = Field(default=None, ge=1, le=10_000)
    spellcheck: SpellcheckSettings = Field(default_factory=SpellcheckSettings)
    cj: CjSettings | None = None


class PhaseOut(BaseModel):
    phase: str
    attempt: int
    status: str
    essays: int
    succeeded: int
    failed: int
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, a: PhaseAttempt) -> PhaseOut:
        return cls(
            phase=a.phase,
            attempt=a.attempt,
            status=a.status.value,
            essays=a.essays,
            succeeded=a.succeeded,
            failed=a.failed,
            started_at=a.started_at,
            finished_at=a.finished_at,
        )


class BatchOut(BaseModel):
    batch_id: str
    name: str
    owner: str
    language: str
    status: BatchStatus
    pipeline: list[str]
    expected_essay_count: int | None
    settings: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    phases: list[PhaseOut] = Field(default_factory=list)
    essays: dict[str, Any] | None = None
    degraded: bool = False

    @classmethod
    def of(cls, batch: Batch, phases: list[PhaseAttempt] | None = None) -> BatchOut:
        return cls(
            batch_id=batch.id,
            name=batch.name,
            owner=batch.owner,
            language=batch.language,
            status=batch.status,
            pipeline=list(batch.pipeline),
            expected_essay_count=batch.expected_essay_count,
            settings=batch.settings,
            version=batch.version,
            created_at=batch.created_at,
            updated_at=batch.updated_at,
            phases=[PhaseOut.of(a) for a in phases or []],
        )


class BatchPage(BaseModel):
    items: list[BatchOut]
    next_cursor: str | None


class BatchListQuery(BaseModel):
    owner: str | None = None
    status: BatchStatus | None = None
    limit: int = 50
    cursor: str | None = None


class OutcomeIn(BaseModel):
    phase: str
    attempt: int = Field(ge=1)
    succeeded: list[str]
    failed: list[dict[str, Any]]
    results: dict[str, dict[str, Any]] = Field(default_factory=dict)
    summary: dict[str, Any] = Field(default_factory=dict)


class AppliedOut(BaseModel):
    applied: bool


class ResultsQuery(BaseModel):
    format: Literal["json", "csv"] = "json"


COLUMNS = [
    "essay_id",
    "filename",
    "status",
    "word_count",
    "error_count",
    "errors_per_100_words",
    "score",
    "se",
    "rank",
    "grade",
]


def _row(result: EssayResult) -> dict[str, Any]:
    spelling, assessment = result.spelling or {}, result.assessment or {}
    return {
        "essay_id": result.essay_id,
        "filename": result.filename,
        "status": result.status,
        "word_count": spelling.get("word_count"),
        "error_count": spelling.get("error_count"),
        "errors_per_100_words": spelling.get("errors_per_100_words"),
        "score": assessment.get("score"),
        "se": assessment.get("se"),
        "rank": assessment.get("rank"),
        "grade": assessment.get("grade"),
    }


@blueprint.post("/v1/batches")
@validate_request(BatchIn)
@validate_response(BatchOut, 201)
@inject
async def create_batch(
    data: BatchIn, uow: FromDishka[OrchestratorUnitOfWork], peers: FromDishka[Peers]
) -> tuple[BatchOut, int]:
    pipeline = resolve_pipeline(data.pipeline)
    if data.cj is not None and "cj_assessment" not in pipeline:
        raise InvalidInput("cj settings were given but the pipeline has no cj_assessment")
    settings: dict[str, Any] = {"spellcheck": data.spellcheck.model_dump()}
    if "cj_assessment" in pipeline:
        settings["cj_assessment"] = (data.cj or CjSettings()).model_dump()
    batch = await service.create_batch(
        uow,
        peers,
        owner=creator(),
        name=data.name,
        language=data.language,
        pipeline=pipeline,
        expected_essay_count=data.expected_essay_count,
        settings=settings,
    )
    pending = [PhaseAttempt(batch.id, phase, 1, PhaseState.PENDING) for phase in batch.pipeline]
    return BatchOut.of(batch, pending), 201


@blueprint.get("/v1/batches/<batch_id>")
@validate_response(BatchOut)
@inject
async def get_batch(
    batch_id: str, uow: FromDishka[OrchestratorUnitOfWork], counts: FromDishka[EssayCounts]
) -> BatchOut:
    batch, phases = await service.get_batch(uow, batch_id, caller())
    answer = BatchOut.of(batch, phases)
    answer.essays = await counts.summary(batch_id)
    answer.degraded = answer.essays is None
    return answer


@blueprint.get("/v1/batches")
@validate_querystring(BatchListQuery)
@validate_response(BatchPage)
@inject
async def list_batches(
    query_args: BatchListQuery, uow: FromDishka[OrchestratorUnitOfWork]
) -> BatchPage:
    limit = clamp_limit(query_args.limit)
    user = caller()
    owner = user if user is not None else query_args.owner  # a teacher sees only their own
    after = position_after(query_args.cursor)
    found = await service.list_batches(
        uow,
        owner=owner,
        status=query_args.status,
        after=(after[0], after[1].hex) if after else None,
        limit=limit + 1,
    )
    shown, cursor = page(found, limit, lambda b: (b.created_at, uuid.UUID(b.id)))
    return BatchPage(items=[BatchOut.of(b) for b in shown], next_cursor=cursor)


@blueprint.get("/v1/batches/<batch_id>/history")
@inject
async def batch_history(batch_id: str, uow: FromDishka[OrchestratorUnitOfWork]) -> dict[str, Any]:
    changes = await service.history(uow, batch_id, caller())
    return {
        "batch_id": batch_id,
        "changes": [
            {
                "phase": c.phase,
                "attempt": c.attempt,
                "from_status": c.from_status,
                "to_status": c.to_status,
                "details": c.details,
                "at": c.at.isoformat(),
            }
            for c in changes
        ],
    }


@blueprint.post("/v1/batches/<batch_id>/pipeline")
@validate_response(BatchOut, 202)
@inject
async def start_pipeline(
    batch_id: str,
    uow: FromDishka[OrchestratorUnitOfWork],
    counts: FromDishka[EssayCounts],
    intake: FromDishka[FileIntake],
    peers: FromDishka[Peers],
) -> tuple[BatchOut, int]:
    batch = await service.start_pipeline(uow, counts, intake, peers, batch_id, caller())
    return BatchOut.of(batch), 202


@blueprint.post("/internal/v1/batches/<batch_id>/phase-outcomes")
@validate_request(OutcomeIn)
@validate_response(AppliedOut)
@inject
async def phase_outcome(
    batch_id: str,
    data: OutcomeIn,
    uow: FromDishka[OrchestratorUnitOfWork],
    peers: FromDishka[Peers],
) -> AppliedOut:
    outcome = Outcome(
        data.phase, data.attempt, data.succeeded, data.failed, data.results, data.summary
    )
    return AppliedOut(applied=await service.phase_outcome(uow, peers, batch_id, outcome))


@blueprint.post("/v1/batches/<batch_id>/phases/<phase>/retry")
@validate_response(PhaseOut, 202)
@inject
async def retry_phase(
    batch_id: str, phase: str, uow: FromDishka[OrchestratorUnitOfWork], peers: FromDishka[Peers]
) -> tuple[PhaseOut, int]:
    attempt = await service.retry_phase(uow, peers, batch_id, phase, caller())
    return PhaseOut.of(attempt), 202


@blueprint.post("/v1/batches/<batch_id>/cancel")
@validate_response(BatchOut)
@inject
async def cancel_batch(
    batch_id: str, uow: FromDishka[OrchestratorUnitOfWork], peers: FromDishka[Peers]
) -> BatchOut:
    return BatchOut.of(await service.cancel_batch(uow, peers, batch_id, caller()))


@blueprint.get("/v1/batches/<batch_id>/results")
@validate_querystring(ResultsQuery)
@inject
async def results(
    batch_id: str, query_args: ResultsQuery, uow: FromDishka[OrchestratorUnitOfWork]
) -> Any:
    batch, found = await service.results(uow, batch_id, caller())
    rows = sorted(
        (_row(r) for r in found),
        key=lambda r: (r["rank"] is None, r["rank"] or 0, r["filename"] or ""),
    )
    if query_args.format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return Response(
            out.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}-results.csv"'},
        )
    cj = batch.results_summary.get("cj_assessment", {})
    return {
        "batch_id": batch.id,
        "status": batch.status.value,
        "reliability": cj.get("reliability"),
        "comparisons": cj.get("comparisons"),
        "accounting": service.accounting(batch, found),
        "essays": rows,
    }


@blueprint.get("/internal/v1/batches/<batch_id>")
@inject
async def internal_status(batch_id: str, uow: FromDishka[OrchestratorUnitOfWork]) -> dict[str, Any]:
    batch, _ = await service.get_batch(uow, batch_id, None)
    return {
        "batch_id": batch.id,
        "status": batch.status.value,
        "pipeline_started": batch.pipeline_started,
    }
