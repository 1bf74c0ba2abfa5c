"""cj_assessment's messages: the assessment essay_lifecycle asks for and the result it
calls back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service_kit.fields import EncodableText, Int32, SafeText

ESSAY_ID = 128  # cj_assessment's essay-id column width (services/cj_assessment/models_db.py)


class EssayModel(BaseModel):
    """Part of ``AssessmentIn``: one essay to judge, by content id or with its text."""

    model_config = ConfigDict(extra="forbid")

    essay_id: SafeText = Field(min_length=1, max_length=ESSAY_ID)
    content_id: SafeText | None = Field(default=None, min_length=1, max_length=64)
    text: EncodableText | None = None  # cj_assessment drops NULs from essay texts


class AnchorModel(BaseModel):
    """Part of ``AssessmentIn``: an essay of known grade (one of the essays, or its own text
    or content id)."""

    model_config = ConfigDict(extra="forbid")

    grade: SafeText = Field(min_length=1, max_length=64)
    essay_id: SafeText | None = Field(default=None, min_length=1, max_length=ESSAY_ID)
    text: EncodableText | None = None  # cj_assessment drops NULs from essay texts
    content_id: SafeText | None = Field(default=None, min_length=1, max_length=64)


class AssessmentIn(BaseModel):
    """essay_lifecycle -> cj_assessment, ``POST /v1/assessments``: rank these essays and call
    back ``callback_url`` with an ``AssessmentResultIn``. essay_lifecycle spreads the batch's
    ``CjSettings`` into the body. (cj_assessment maps it to its domain in ``to_request``.)"""

    model_config = ConfigDict(extra="forbid")

    batch_id: SafeText | None = Field(default=None, max_length=64)
    essays: list[EssayModel]
    judge: Literal["human", "llm", "baseline"] = "baseline"
    max_comparisons_per_essay: int = Field(default=20, ge=1, le=500)
    min_comparisons_per_essay: int = Field(default=5, ge=1, le=500)
    target_reliability: float = Field(default=0.8, gt=0, lt=1)
    anchors: list[AnchorModel] = Field(default_factory=list)
    grade_scale: list[SafeText] | None = Field(default=None, min_length=1, max_length=64)
    instructions: SafeText | None = Field(default=None, max_length=10_000)
    callback_url: SafeText | None = Field(default=None, max_length=2000, pattern=r"^https?://")


class RankedEssay(BaseModel):
    """One row of ``AssessmentResultIn.ranking`` (cj_assessment's ``completed_body``); kept by
    essay_lifecycle as the essay's ``assessment`` and sent on in the phase outcome
    (``EssayOutcome.assessment``). ``grade`` and ``grade_probabilities`` come only with a
    grade scale; dump with ``exclude_unset=True`` to keep the row as it came."""

    model_config = ConfigDict(extra="forbid")

    essay_id: SafeText
    score: float
    se: float
    rank: Int32
    comparisons: Int32
    grade: SafeText | None = None
    grade_probabilities: dict[SafeText, float] | None = None


class AssessmentResultIn(BaseModel):
    """cj_assessment -> essay_lifecycle,
    ``POST /internal/v1/batches/{batch_id}/cj-result?attempt=N``: the ranking (status
    ``completed``) or the failure (``failed`` with its reason).

    Every field but ``status``, ``reason`` and ``ranking`` is the run's summary
    (``CjRunSummary``) that essay_lifecycle sends on in the phase outcome.
    """

    model_config = ConfigDict(extra="forbid")

    status: Literal["succeeded", "completed", "failed"]
    ranking: list[RankedEssay] = Field(default_factory=list)
    reason: SafeText | None = None
    assessment_id: SafeText | None = Field(default=None, max_length=64)
    batch_id: SafeText | None = Field(default=None, max_length=64)
    reliability: float | None = None
    reliability_method: SafeText | None = None
    ssr: float | None = None
    comparisons: Int32 | None = None
    stop_reason: SafeText | None = None


class CjRunSummary(BaseModel):
    """The cj_assessment run's figures, ``AssessmentResultIn`` less status, reason and ranking:
    essay_lifecycle -> batch_orchestrator as ``OutcomeIn.summary``; the orchestrator keeps it
    as ``results_summary["cj_assessment"]`` and its results read ``reliability`` and
    ``comparisons``. Empty (``{}``) for a spellcheck outcome."""

    model_config = ConfigDict(extra="forbid")

    assessment_id: SafeText | None = None
    batch_id: SafeText | None = None
    reliability: float | None = None
    reliability_method: SafeText | None = None
    ssr: float | None = None
    comparisons: Int32 | None = None
    stop_reason: SafeText | None = None
