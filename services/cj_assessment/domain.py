"""cj_assessment's domain: assessments, their essays, comparisons, judges and grades.

Pure Python: no Quart, no SQLAlchemy. The statistics (fit, reliability, pairing, grades,
judge quality) live in the method/ package; this module says what an assessment is, what a
valid request for one is, and what the callback says.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.cj import AssessmentResultIn, RankedEssay
from service_kit.errors import InvalidInput
from services.cj_assessment.method import Estimate, Judgement, Settings

RUN_ASSESSMENT = "run_assessment"  # the job kind: prepare texts, then judge (llm/baseline)
CREATE_SCOPE = "create_assessment"  # the inbox scope of POST /v1/assessments


class AssessmentStatus(str, enum.Enum):
    PREPARING = "preparing"  # texts are being fetched from content_service
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class JudgeKind(str, enum.Enum):
    HUMAN = "human"
    LLM = "llm"
    BASELINE = "baseline"


class ComparisonStatus(str, enum.Enum):
    LEASED = "leased"  # handed to a human judge, not answered yet
    ANSWERED = "answered"
    FAILED = "failed"  # an automated judge could not give a verdict (the error is kept)


FINISHED = frozenset({AssessmentStatus.COMPLETED, AssessmentStatus.FAILED})


@dataclass(frozen=True)
class Assessment:
    id: uuid.UUID
    batch_id: str | None
    judge: JudgeKind
    status: AssessmentStatus
    min_comparisons_per_essay: int
    max_comparisons_per_essay: int
    target_reliability: float
    grade_scale: list[str] | None
    instructions: str | None
    callback_url: str | None
    created_at: datetime
    updated_at: datetime
    # bumped by every recorded round and fit: the compare-and-set guard of automated runs
    version: int = 0
    reliability: float | None = None
    reliability_method: str | None = None
    ssr: float | None = None
    position_bias: float | None = None
    stop_reason: str | None = None
    failure_reason: str | None = None
    completed_at: datetime | None = None
    # judges a teacher left out of the fit: their judgements stay stored, the scale ignores them
    excluded_judges: list[str] = field(default_factory=list)
    # judges flagged as carrying no information whom a teacher chose to keep in the fit
    kept_judges: list[str] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return Settings(
            min_comparisons_per_essay=self.min_comparisons_per_essay,
            max_comparisons_per_essay=self.max_comparisons_per_essay,
            target_reliability=self.target_reliability,
        )

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True)
class AssessmentEssay:
    """An essay as this assessment knows it: keyed by (assessment, essay), never shared."""

    assessment_id: uuid.UUID
    essay_id: str
    ordinal: int  # the order of the request, for stable listings
    content_id: str | None = None
    text: str | None = None
    extra_anchor: bool = False  # an anchor brought with its own text, not one of the essays
    anchor_grade: str | None = None
    score: float | None = None
    se: float | None = None
    rank: int | None = None
    comparisons: int = 0


@dataclass(frozen=True)
class Comparison:
    """One pair put to one judge. A human's lapsed lease is handed out again under the same
    pair_id to another judge, so (pair_id, judge_id) names a row."""

    pair_id: uuid.UUID
    judge_id: str
    assessment_id: uuid.UUID
    essay_a: str  # shown first
    essay_b: str
    judge_kind: JudgeKind
    status: ComparisonStatus
    created_at: datetime
    lease_until: datetime | None = None
    winner: str | None = None  # "a" or "b"
    confidence: float | None = None
    justification: str | None = None
    error: str | None = None
    answered_at: datetime | None = None

    @property
    def pair_key(self) -> str:
        return pair_key(self.essay_a, self.essay_b)

    @property
    def essays(self) -> frozenset[str]:
        return frozenset((self.essay_a, self.essay_b))

    def judgement(self) -> Judgement:
        winner = self.essay_a if self.winner == "a" else self.essay_b
        return Judgement(self.essay_a, self.essay_b, winner, self.judge_id)


def pair_key(one: str, other: str) -> str:
    """The unordered pair as one unambiguous string (ids may contain any character)."""
    low, high = sorted((one, other))
    return f"{len(low)}:{low}|{high}"


@dataclass(frozen=True)
class JudgeRecord:
    assessment_id: uuid.UUID
    judge_id: str
    kind: JudgeKind
    judgements: int
    infit: float | None
    outfit: float | None
    infit_se: float | None = None
    outfit_se: float | None = None
    misfit: bool = False
    discrimination: float | None = None
    discrimination_se: float | None = None
    position_bias: float | None = None
    position_bias_se: float | None = None
    # why the judge's answers carry no information (then left out of the fit unless kept)
    degenerate: str | None = None


@dataclass(frozen=True)
class GradeProjection:
    assessment_id: uuid.UUID
    essay_id: str
    grade: str
    probabilities: dict[str, float]


@dataclass(frozen=True)
class AssessmentView:
    """An assessment with everything GET shows."""

    assessment: Assessment
    essays: list[AssessmentEssay]
    judges: list[JudgeRecord]
    projections: dict[str, GradeProjection]
    answered: int
    failed: int
    exposure: dict[str, int]  # answered comparisons per essay


# --------------------------------------------------------------------------- the request


@dataclass(frozen=True)
class EssayIn:
    essay_id: str
    content_id: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class AnchorIn:
    grade: str
    essay_id: str | None = None
    text: str | None = None
    content_id: str | None = None


@dataclass(frozen=True)
class AssessmentRequest:
    essays: list[EssayIn]
    judge: JudgeKind = JudgeKind.BASELINE
    batch_id: str | None = None
    max_comparisons_per_essay: int = 20
    min_comparisons_per_essay: int = 5
    target_reliability: float = 0.8
    anchors: list[AnchorIn] = field(default_factory=list)
    grade_scale: list[str] | None = None
    instructions: str | None = None
    callback_url: str | None = None


def clean_text(text: str) -> str:
    """PostgreSQL text cannot hold NUL; nothing a reader sees is lost without it."""
    return text.replace("\x00", "")


def _one_source(what: str, content_id: str | None, text: str | None) -> None:
    if (content_id is None) == (text is None):
        raise InvalidInput(f"{what} needs exactly one of content_id and text")
    if text is not None and not clean_text(text).strip():
        raise InvalidInput(f"{what} has an empty text")


def plan_assessment(
    request: AssessmentRequest, *, max_essays: int, max_essay_chars: int, at: datetime
) -> tuple[Assessment, list[AssessmentEssay]]:
    """Check a request and turn it into the assessment (created ``at``) and its essay rows
    (anchors that bring their own text become extra essays, judged like the others)."""
    for text in [e.text for e in request.essays] + [a.text for a in request.anchors]:
        if text is not None and len(text) > max_essay_chars:
            raise InvalidInput(f"an essay's text is limited to {max_essay_chars} characters")
    essays = request.essays
    if len(essays) < 2:
        raise InvalidInput("an assessment needs at least 2 essays")
    if len(essays) + len(request.anchors) > max_essays:
        raise InvalidInput(f"at most {max_essays} essays and anchors per assessment")
    repeated = sorted(k for k, n in Counter(e.essay_id for e in essays).items() if n > 1)
    if repeated:
        raise InvalidInput("essay ids must be unique", duplicates=repeated[:20])
    for essay in essays:
        _one_source(f"essay {essay.essay_id!r}", essay.content_id, essay.text)
    if request.min_comparisons_per_essay > request.max_comparisons_per_essay:
        raise InvalidInput("min_comparisons_per_essay must not exceed max_comparisons_per_essay")
    scale = request.grade_scale
    if scale is not None and len(set(scale)) != len(scale):
        raise InvalidInput("grade_scale lists a grade twice")

    stamp = at
    assessment = Assessment(
        id=uuid.uuid4(),
        batch_id=request.batch_id,
        judge=request.judge,
        status=AssessmentStatus.PREPARING,
        min_comparisons_per_essay=request.min_comparisons_per_essay,
        max_comparisons_per_essay=request.max_comparisons_per_essay,
        target_reliability=request.target_reliability,
        grade_scale=list(request.grade_scale) if request.grade_scale is not None else None,
        instructions=request.instructions,
        callback_url=request.callback_url,
        created_at=stamp,
        updated_at=stamp,
    )
    rows = {
        e.essay_id: AssessmentEssay(
            assessment.id, e.essay_id, i, e.content_id, clean_text(e.text) if e.text else None
        )
        for i, e in enumerate(essays)
    }
    _add_anchors(assessment, rows, request)
    return assessment, list(rows.values())


def _add_anchors(
    assessment: Assessment, rows: dict[str, AssessmentEssay], request: AssessmentRequest
) -> None:
    scale = request.grade_scale
    for number, anchor in enumerate(request.anchors, start=1):
        if scale is not None and anchor.grade not in scale:
            raise InvalidInput(f"anchor {number}'s grade {anchor.grade!r} is not in grade_scale")
        if anchor.essay_id is not None:
            if anchor.text is not None or anchor.content_id is not None:
                raise InvalidInput(
                    f"anchor {number} names an essay; it cannot also bring text or content_id"
                )
            found = rows.get(anchor.essay_id)
            if found is None or found.extra_anchor:
                raise InvalidInput(f"anchor {number} names no essay of this assessment")
            if found.anchor_grade is not None:
                raise InvalidInput(f"essay {anchor.essay_id!r} is anchored twice")
            rows[anchor.essay_id] = dataclasses.replace(found, anchor_grade=anchor.grade)
            continue
        _one_source(f"anchor {number}", anchor.content_id, anchor.text)
        essay_id = f"anchor-{number}"
        while essay_id in rows:  # an essay of the list already has that name
            essay_id += "'"
        rows[essay_id] = AssessmentEssay(
            assessment.id,
            essay_id,
            len(rows),
            anchor.content_id,
            clean_text(anchor.text) if anchor.text else None,
            extra_anchor=True,
            anchor_grade=anchor.grade,
        )


def anchors_of(essays: Iterable[AssessmentEssay]) -> dict[str, str]:
    return {e.essay_id: e.anchor_grade for e in essays if e.anchor_grade is not None}


def exposure(essays: Sequence[AssessmentEssay], judgements: Sequence[Judgement]) -> dict[str, int]:
    counts = dict.fromkeys((e.essay_id for e in essays), 0)
    for j in judgements:
        counts[j.essay_a] = counts.get(j.essay_a, 0) + 1
        counts[j.essay_b] = counts.get(j.essay_b, 0) + 1
    return counts


# --------------------------------------------------------------------------- the callback


def result_key(assessment_id: uuid.UUID) -> str:
    return f"cj_assessment:{assessment_id}:result"


def completed_body(
    assessment: Assessment, essays: Sequence[AssessmentEssay], estimate: Estimate
) -> dict[str, Any]:
    """The ranking of the assessment's own essays: extra anchors are left out and the ranks
    renumbered 1..n among what remains. Built as the contract essay_lifecycle validates
    (``contracts.cj.AssessmentResultIn``); an ungraded row carries no grade keys."""
    extra = {e.essay_id for e in essays if e.extra_anchor}
    ranking: list[RankedEssay] = []
    for ranked in estimate.ranking:
        if ranked.essay_id in extra:
            continue
        row: dict[str, Any] = {
            "essay_id": ranked.essay_id,
            "score": ranked.score,
            "se": ranked.se,
            "rank": len(ranking) + 1,
            "comparisons": ranked.comparisons,
        }
        if ranked.grade is not None:
            row["grade"] = ranked.grade
            row["grade_probabilities"] = ranked.grade_probabilities
        ranking.append(RankedEssay.model_validate(row))
    result = AssessmentResultIn(
        status="completed",
        assessment_id=str(assessment.id),
        batch_id=assessment.batch_id,
        ranking=ranking,
        reliability=estimate.reliability,
        reliability_method=estimate.reliability_method,
        ssr=estimate.ssr,
        comparisons=estimate.comparisons,
        stop_reason=assessment.stop_reason,
    )
    return result.model_dump(mode="json", exclude_unset=True)


def failed_body(assessment: Assessment, reason: str) -> dict[str, Any]:
    result = AssessmentResultIn(
        status="failed",
        assessment_id=str(assessment.id),
        batch_id=assessment.batch_id,
        reason=reason,
    )
    return result.model_dump(mode="json", exclude_unset=True)
