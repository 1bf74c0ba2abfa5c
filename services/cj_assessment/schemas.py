"""cj_assessment's HTTP request and response models (the OpenAPI components keep these names).

The assessment request is the contract essay_lifecycle sends (``contracts.cj``;
``to_request`` maps it to the domain). The answers are built from the domain objects by
``from_attributes``; ``AssessmentOut.of_view`` is the one mapping that joins an assessment's
essays, grades and exposure into its ranking."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from contracts.cj import AnchorModel, AssessmentIn, EssayModel
from service_kit.fields import Int32, SafeText
from services.cj_assessment.domain import (
    AnchorIn,
    AssessmentRequest,
    AssessmentView,
    EssayIn,
    JudgeKind,
)
from services.cj_assessment.use_cases.ranking import ListRankingResult

# the response models read domain objects' attributes
FROM_DOMAIN = ConfigDict(from_attributes=True)


def to_request(data: AssessmentIn) -> AssessmentRequest:
    """An assessment request as the domain takes it (essay_lifecycle's message, or a
    person's)."""
    return AssessmentRequest(
        essays=[EssayIn(e.essay_id, e.content_id, e.text) for e in data.essays],
        judge=JudgeKind(data.judge),
        batch_id=data.batch_id,
        max_comparisons_per_essay=data.max_comparisons_per_essay,
        min_comparisons_per_essay=data.min_comparisons_per_essay,
        target_reliability=data.target_reliability,
        anchors=[AnchorIn(a.grade, a.essay_id, a.text, a.content_id) for a in data.anchors],
        grade_scale=data.grade_scale,
        instructions=data.instructions,
        callback_url=data.callback_url,
    )


class SettingsOut(BaseModel):
    model_config = FROM_DOMAIN

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
    model_config = FROM_DOMAIN

    judge_id: str
    kind: str
    judgements: int
    infit: float | None
    outfit: float | None
    # standard errors of the mean squares for a judge who decides as the model says
    infit_se: float | None = None
    outfit_se: float | None = None
    misfit: bool = False  # infit or outfit far above 1: the judge does not fit the scale
    discrimination: float | None = None  # weight in the fit, relative to the median judge
    discrimination_se: float | None = None
    position_bias: float | None = None  # this judge's logit advantage of the essay shown first
    position_bias_se: float | None = None
    excluded: bool = False  # left out of the fit by a teacher
    # why the judge's answers carry no information; such a human judge is left out of the
    # fit until a teacher excludes them or keeps them (DELETE .../judges/{id}/exclude)
    degenerate: str | None = None
    left_out: bool = False  # not in the scale now (excluded, or flagged and not kept)


class ReportOut(BaseModel):
    judges: list[JudgeOut]
    position_bias: float | None  # logit advantage of the essay shown first
    excluded_judges: list[str] = []  # their judgements are stored but not in the scale
    notes: list[str] = []  # what a teacher should know about the judges


def _report(view: AssessmentView) -> ReportOut:
    a = view.assessment
    excluded, kept = set(a.excluded_judges), set(a.kept_judges)
    judges = []
    for j in view.judges:
        out = j.judge_id in excluded
        flagged = j.degenerate is not None and j.judge_id not in kept
        judges.append(
            JudgeOut.model_validate(j).model_copy(
                update={"excluded": out, "left_out": out or flagged}
            )
        )
    notes = [
        f"judge {j} was left out by a teacher: the scale is fitted without their judgements"
        for j in sorted(excluded)
    ]
    notes += [
        f"judge {j.judge_id} {j.degenerate}: their judgements carry no information and are "
        "left out of the scale until a teacher excludes or keeps them"
        for j in judges
        if j.degenerate and j.left_out and not j.excluded
    ]
    notes += [
        f"judge {j.judge_id} does not fit the scale (infit {j.infit:.2f}, outfit "
        f"{j.outfit:.2f}, about 1 expected): check their judgements, or exclude the judge"
        for j in judges
        if j.misfit and not j.excluded and j.infit is not None and j.outfit is not None
    ]
    return ReportOut(
        judges=judges, position_bias=a.position_bias, excluded_judges=sorted(excluded), notes=notes
    )


class SummaryOut(BaseModel):
    model_config = FROM_DOMAIN

    # the domain's Assessment calls it ``id`` (the schema shows assessment_id only)
    assessment_id: uuid.UUID = Field(validation_alias=AliasChoices("assessment_id", "id"))
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
        """The assessment with its counts, ranking (essays by rank, each with its grade and
        answered comparisons) and judge report."""
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
            **SummaryOut.model_validate(a).model_dump(),
            settings=SettingsOut.model_validate(a),
            essays=len(view.essays),
            comparisons=view.answered,
            failed_comparisons=view.failed,
            exposure=view.exposure,
            ranking=ranking,
            report=_report(view),
        )


class AssessmentPage(BaseModel):
    items: list[SummaryOut]
    next_cursor: str | None


class RankingPage(BaseModel):
    items: list[RankedOut]
    next_cursor: str | None

    @classmethod
    def of_result(cls, found: ListRankingResult) -> RankingPage:
        """A page of the ranking: each essay's figures as of the last fit."""
        items = []
        for ranked in found.items:
            e, p = ranked.essay, ranked.projection
            items.append(
                RankedOut(
                    essay_id=e.essay_id,
                    score=e.score or 0.0,
                    se=e.se or 0.0,
                    rank=e.rank or 0,
                    comparisons=e.comparisons,
                    grade=p.grade if p else None,
                    grade_probabilities=p.probabilities if p else None,
                    anchor=e.extra_anchor,
                    anchor_grade=e.anchor_grade,
                )
            )
        return cls(items=items, next_cursor=found.next_cursor)


class RankingQuery(BaseModel):
    limit: Int32 = 50
    cursor: SafeText | None = None
    format: Literal["json", "csv"] = "json"


class ListQuery(BaseModel):
    batch_id: SafeText | None = None
    limit: Int32 = 50
    cursor: SafeText | None = None


class NextPairQuery(BaseModel):
    judge_id: SafeText = Field(min_length=1, max_length=128)


class PairEssayOut(BaseModel):
    model_config = FROM_DOMAIN

    essay_id: str
    text: str


class PairOut(BaseModel):
    model_config = FROM_DOMAIN

    pair_id: uuid.UUID
    essay_a: PairEssayOut
    essay_b: PairEssayOut
    lease_until: datetime


class JudgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pair_id: uuid.UUID
    judge_id: SafeText = Field(min_length=1, max_length=128)
    winner: Literal["a", "b"]


class JudgementOut(BaseModel):
    model_config = FROM_DOMAIN

    pair_id: uuid.UUID
    judge_id: str
    winner: str
    essay_a: str
    essay_b: str
    answered_at: datetime | None


__all__ = [
    "AnchorModel",
    "AssessmentIn",
    "AssessmentOut",
    "AssessmentPage",
    "EssayModel",
    "JudgeOut",
    "JudgementIn",
    "JudgementOut",
    "ListQuery",
    "NextPairQuery",
    "PairEssayOut",
    "PairOut",
    "RankedOut",
    "RankingPage",
    "RankingQuery",
    "ReportOut",
    "SettingsOut",
    "SummaryOut",
    "to_request",
]
