"""batch_orchestrator's HTTP request and response models (the OpenAPI components), and the
one mapping from the use cases' results to them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from service_kit.fields import SafeText
from services.batch_orchestrator.domain import BatchResults, BatchStatus, StatusChange
from services.batch_orchestrator.use_cases import BatchView


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
    model_config = ConfigDict(from_attributes=True)

    phase: str
    attempt: int
    status: str
    essays: int
    succeeded: int
    failed: int
    started_at: datetime | None
    finished_at: datetime | None


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    batch_id: str = Field(validation_alias=AliasChoices("batch_id", "id"))
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


def batch_out(view: BatchView) -> BatchOut:
    """The one mapping from a batch (with its attempts and essays, when the use case gives
    them) to its answer."""
    return BatchOut.model_validate(view.batch).model_copy(
        update={
            "phases": [PhaseOut.model_validate(a) for a in view.phases],
            "essays": view.essays,
            "degraded": view.degraded,
        }
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
    model_config = ConfigDict(from_attributes=True)

    applied: bool


class ResultsQuery(BaseModel):
    format: Literal["json", "csv"] = "json"


def history_body(batch_id: str, changes: list[StatusChange]) -> dict[str, Any]:
    """The batch's log, each change as it was written (``at`` in ISO 8601)."""
    return {
        "batch_id": batch_id,
        "changes": [
            {**{k: v for k, v in asdict(c).items() if k != "batch_id"}, "at": c.at.isoformat()}
            for c in changes
        ],
    }


def results_body(results: BatchResults) -> dict[str, Any]:
    return {
        "batch_id": results.batch.id,
        "status": results.batch.status.value,
        "reliability": results.reliability,
        "comparisons": results.comparisons,
        "accounting": results.accounting,
        "essays": results.rows,
    }
