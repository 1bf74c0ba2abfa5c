"""cj_assessment HTTP API: parse, call a use case, shape the answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from dishka.integrations.base import FromDishka
from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.errors import InvalidInput
from service_kit.messaging import inbox
from service_kit.pagination import clamp_limit, page, position_after
from services.cj_assessment import service
from services.cj_assessment.config import Settings
from services.cj_assessment.domain import (
    AnchorIn,
    Assessment,
    AssessmentRequest,
    AssessmentView,
    EssayIn,
    JudgeKind,
)
from services.cj_assessment.models_db import ESSAY_ID
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.refits import Refits
from services.cj_assessment.service import HandedPair

blueprint = Blueprint("assessments", __name__)


class EssayModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    essay_id: str = Field(min_length=1, max_length=ESSAY_ID)
    content_id: str | None = Field(default=None, min_length=1, max_length=64)
    text: str | None = None


class AnchorModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grade: str = Field(min_length=1, max_length=64)
    essay_id: str | None = Field(default=None, min_length=1, max_length=ESSAY_ID)
    text: str | None = None
    content_id: str | None = Field(default=None, min_length=1, max_length=64)


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batch_id: str | None = Field(default=None, max_length=64)
    essays: list[EssayModel]
    judge: Literal["human", "llm", "baseline"] = "baseline"
    max_comparisons_per_essay: int = Field(default=20, ge=1, le=500)
    min_comparisons_per_essay: int = Field(default=5, ge=1, le=500)
    target_reliability: float = Field(default=0.8, gt=0, lt=1)
    anchors: list[AnchorModel] = Field(default_factory=list)
    grade_scale: list[str] | None = Field(default=None, min_length=1, max_length=64)
    instructions: str | None = Field(default=None, max_length=10_000)
    callback_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")

    def to_domain(self, max_chars: int) -> AssessmentRequest:
        for text in [e.text for e in self.essays] + [a.text for a in self.anchors]:
            if text is not None and len(text) > max_chars:
                raise InvalidInput(f"an essay's text is limited to {max_chars} characters")
        return AssessmentRequest(
            essays=[EssayIn(e.essay_id, e.content_id, e.text) for e in self.essays],
            judge=JudgeKind(self.judge),
            batch_id=self.batch_id,
            max_comparisons_per_essay=self.max_comparisons_per_essay,
            min_comparisons_per_essay=self.min_comparisons_per_essay,
            target_reliability=self.target_reliability,
            anchors=[AnchorIn(a.grade, a.essay_id, a.text, a.content_id) for a in self.anchors],
            grade_scale=self.grade_scale,
            instructions=self.instructions,
            callback_url=self.callback_url,
        )


class SettingsOut(BaseModel):
    min_comparisons_per_essay: int
    max_comparisons_per_essay: int
    target_reliability: float
    grade_scale: list[str] | None
    instructions: str | None


class RankedOut(BaseModel):
    essay_id: str
    score: float
    se: float
    rank: int
    comparisons: int
    grade: str | None = None
    grade_probabilities: dict[str, float] | None = None
    anchor: bool = False  # an anchor brought with its own text (not sent to the callback)
    anchor_grade: str | None = None  # the known grade of any anchor


class JudgeOut(BaseModel):
    judge_id: str
    kind: str
    judgements: int
    infit: float | None
    outfit: float | None


class ReportOut(BaseModel):
    judges: list[JudgeOut]
    position_bias: float | None  # logit advantage of the essay shown first


class SummaryOut(BaseModel):
    assessment_id: uuid.UUID
    batch_id: str | None
    status: str
    judge: str
    reliability: float | None
    reliability_method: str | None
    ssr: float | None
    stop_reason: str | None
    failure_reason: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, a: Assessment) -> SummaryOut:
        return cls(
            assessment_id=a.id,
            batch_id=a.batch_id,
            status=a.status.value,
            judge=a.judge.value,
            reliability=a.reliability,
            reliability_method=a.reliability_method,
            ssr=a.ssr,
            stop_reason=a.stop_reason,
            failure_reason=a.failure_reason,
            created_at=a.created_at,
            updated_at=a.updated_at,
            completed_at=a.completed_at,
        )


class AssessmentOut(SummaryOut):
    settings: SettingsOut
    essays: int
    comparisons: int
    failed_comparisons: int
    exposure: dict[str, int]
    ranking: list[RankedOut]
    report: ReportOut

    @classmethod
    def of_view(cls, view: AssessmentView) -> AssessmentOut:
        a = view.assessment
        ranked = sorted((e for e in view.essays if e.rank is not None), key=lambda e: e.rank or 0)
        ranking = []
        for e in ranked:
            projection = view.projections.get(e.essay_id)
            ranking.append(
                RankedOut(
                    essay_id=e.essay_id,
                    score=e.score or 0.0,
                    se=e.se or 0.0,
                    rank=e.rank or 0,
                    comparisons=view.exposure.get(e.essay_id, 0),
                    grade=projection.grade if projection else None,
                    grade_probabilities=projection.probabilities if projection else None,
                    anchor=e.extra_anchor,
                    anchor_grade=e.anchor_grade,
                )
            )
        return cls(
            **SummaryOut.of(a).model_dump(),
            settings=SettingsOut(
                min_comparisons_per_essay=a.min_comparisons_per_essay,
                max_comparisons_per_essay=a.max_comparisons_per_essay,
                target_reliability=a.target_reliability,
                grade_scale=a.grade_scale,
                instructions=a.instructions,
            ),
            essays=len(view.essays),
            comparisons=view.answered,
            failed_comparisons=view.failed,
            exposure=view.exposure,
            ranking=ranking,
            report=ReportOut(
                judges=[
                    JudgeOut(
                        judge_id=j.judge_id,
                        kind=j.kind.value,
                        judgements=j.judgements,
                        infit=j.infit,
                        outfit=j.outfit,
                    )
                    for j in view.judges
                ],
                position_bias=a.position_bias,
            ),
        )


class AssessmentPage(BaseModel):
    items: list[SummaryOut]
    next_cursor: str | None


class ListQuery(BaseModel):
    batch_id: str | None = None
    limit: int = 50
    cursor: str | None = None


class NextPairQuery(BaseModel):
    judge_id: str = Field(min_length=1, max_length=128)


class PairEssayOut(BaseModel):
    essay_id: str
    text: str


class PairOut(BaseModel):
    pair_id: uuid.UUID
    essay_a: PairEssayOut
    essay_b: PairEssayOut
    lease_until: datetime

    @classmethod
    def of(cls, handed: HandedPair) -> PairOut:
        return cls(
            pair_id=handed.pair_id,
            essay_a=PairEssayOut(essay_id=handed.essay_a.essay_id, text=handed.essay_a.text),
            essay_b=PairEssayOut(essay_id=handed.essay_b.essay_id, text=handed.essay_b.text),
            lease_until=handed.lease_until,
        )


class JudgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pair_id: uuid.UUID
    judge_id: str = Field(min_length=1, max_length=128)
    winner: Literal["a", "b"]


class JudgementOut(BaseModel):
    pair_id: uuid.UUID
    judge_id: str
    winner: str
    essay_a: str
    essay_b: str
    answered_at: datetime | None


@blueprint.post("/v1/assessments")
@validate_request(AssessmentIn)
@validate_response(AssessmentOut, 201)
@inject
async def create_assessment(
    data: AssessmentIn, uow: FromDishka[AssessmentUnitOfWork], settings: FromDishka[Settings]
) -> tuple[AssessmentOut, int, dict[str, str]]:
    header = request.headers.get(inbox.IDEMPOTENCY_HEADER)
    key = None if header is None else inbox.require_key(header)
    view, _created = await service.create_assessment(
        uow,
        data.to_domain(settings.max_essay_chars),
        max_essays=settings.max_essays,
        idempotency_key=key,
    )
    location = f"/v1/assessments/{view.assessment.id}"
    return AssessmentOut.of_view(view), 201, {"Location": location}


@blueprint.get("/v1/assessments/<uuid:assessment_id>")
@validate_response(AssessmentOut)
@inject
async def get_assessment(
    assessment_id: uuid.UUID, uow: FromDishka[AssessmentUnitOfWork]
) -> AssessmentOut:
    return AssessmentOut.of_view(await service.get_assessment(uow, assessment_id))


@blueprint.get("/v1/assessments")
@validate_querystring(ListQuery)
@validate_response(AssessmentPage)
@inject
async def list_assessments(
    query_args: ListQuery, uow: FromDishka[AssessmentUnitOfWork]
) -> AssessmentPage:
    limit = clamp_limit(query_args.limit)
    found = await service.list_assessments(
        uow, query_args.batch_id, after=position_after(query_args.cursor), limit=limit + 1
    )
    shown, cursor = page(found, limit, lambda a: (a.created_at, a.id))
    return AssessmentPage(items=[SummaryOut.of(a) for a in shown], next_cursor=cursor)


@blueprint.get("/v1/assessments/<uuid:assessment_id>/next-pair")
@validate_querystring(NextPairQuery)
@inject
async def next_pair(
    assessment_id: uuid.UUID,
    query_args: NextPairQuery,
    uow: FromDishka[AssessmentUnitOfWork],
    settings: FromDishka[Settings],
) -> Response:
    found = await service.next_pair(
        uow, assessment_id, query_args.judge_id, lease_seconds=settings.pair_lease_seconds
    )
    if isinstance(found, service.NoPair):
        # finished: no more judgements; otherwise the open pairs are with other judges now
        headers = {} if found.finished else {"Retry-After": str(service.RETRY_SECONDS)}
        return Response(b"", status=204, headers=headers)
    return Response(
        PairOut.of(found).model_dump_json(), status=200, content_type="application/json"
    )


@blueprint.post("/v1/assessments/<uuid:assessment_id>/judgements")
@validate_request(JudgementIn)
@inject
async def record_judgement(
    assessment_id: uuid.UUID,
    data: JudgementIn,
    uow: FromDishka[AssessmentUnitOfWork],
    refits: FromDishka[Refits],
) -> Response:
    comparison, created = await service.record_judgement(
        uow, refits, assessment_id, data.pair_id, data.judge_id, data.winner
    )
    body = JudgementOut(
        pair_id=comparison.pair_id,
        judge_id=comparison.judge_id,
        winner=comparison.winner or "",
        essay_a=comparison.essay_a,
        essay_b=comparison.essay_b,
        answered_at=comparison.answered_at,
    )
    return Response(
        body.model_dump_json(), status=201 if created else 200, content_type="application/json"
    )
