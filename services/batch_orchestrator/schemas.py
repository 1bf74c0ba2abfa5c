"""batch_orchestrator's HTTP request and response models (the OpenAPI components), and the
one mapping from the use cases' results to them."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

# the settings and the outcome are messages between services: their models are the contracts
from contracts.batches import Anchor, CjSettings, SpellcheckSettings
from contracts.files import BatchGateOut
from contracts.outcomes import OutcomeIn
from service_kit.errors import InvalidInput
from service_kit.fields import Int32, SafeText
from services.batch_orchestrator.domain import (
    Batch,
    BatchResults,
    BatchStatus,
    Outcome,
    StatusChange,
)
from services.batch_orchestrator.use_cases import BatchView, ListResultsResult

__all__ = [
    "Anchor",
    "AppliedOut",
    "BatchGateOut",
    "BatchIn",
    "BatchListQuery",
    "BatchOut",
    "BatchPage",
    "CjSettings",
    "OutcomeIn",
    "PhaseOut",
    "ResultsQuery",
    "SpellcheckSettings",
    "batch_out",
    "gate_out",
    "history_body",
    "outcome_of",
    "results_body",
    "results_page_body",
]


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
            "essays": None if view.essays is None else view.essays.shown,
            "degraded": view.degraded,
        }
    )


class BatchPage(BaseModel):
    items: list[BatchOut]
    next_cursor: str | None


class BatchListQuery(BaseModel):
    owner: SafeText | None = None
    status: BatchStatus | None = None
    limit: Int32 = 50
    cursor: SafeText | None = None


def outcome_of(data: OutcomeIn) -> Outcome:
    """essay_lifecycle's outcome message as the domain reads it. The essays that succeeded
    go on in the next phase command, which names essays by UUID: an id that is not one is
    refused here rather than failing the command."""
    for index, essay_id in enumerate(data.succeeded):
        try:
            uuid.UUID(essay_id)
        except ValueError:
            message = f"succeeded[{index}] is not an essay id (a UUID): {essay_id[:64]!r}"
            raise InvalidInput(
                message,
                errors=[{"loc": ["succeeded", index], "msg": message, "type": "uuid_parsing"}],
            ) from None
    return Outcome(
        phase=data.phase,
        attempt=data.attempt,
        succeeded=data.succeeded,
        failed=[essay.essay_id for essay in data.failed],
        results=data.results,
        summary=data.summary.model_dump(exclude_none=True),
    )


class AppliedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    applied: bool


class ResultsQuery(BaseModel):
    format: Literal["json", "csv"] = "json"
    # with either, one page of the table and its next_cursor (issue 16); without, all of it
    limit: int | None = None
    cursor: str | None = None


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


def results_page_body(page: ListResultsResult) -> dict[str, Any]:
    """One page of the results table: the body of ``results_body`` (its accounting the whole
    batch's) with this page's essays and the cursor of the next page."""
    body = results_body(page.results)
    return {**body, "accounting": page.accounting, "next_cursor": page.next_cursor}


def gate_out(batch: Batch) -> BatchGateOut:
    return BatchGateOut(
        batch_id=batch.id, status=batch.status.value, pipeline_started=batch.pipeline_started
    )
