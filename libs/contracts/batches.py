"""Batch messages between batch_orchestrator and essay_lifecycle: the registration, the
phase commands (with the per-phase settings the orchestrator accepted from the teacher),
and the essay summary the orchestrator reads.

The cancel (batch_orchestrator -> essay_lifecycle,
``POST /internal/v1/batches/{batch_id}/cancel``) has no body and its answer is not read: it
has no model.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service_kit.fields import Int32, PositiveInt32, SafeJson, SafeText


class BatchIn(BaseModel):
    """batch_orchestrator -> essay_lifecycle, ``POST /internal/v1/batches``: a new batch and
    where its phase outcomes go."""

    model_config = ConfigDict(extra="forbid")

    batch_id: SafeText = Field(min_length=1, max_length=64)
    language: Literal["en", "sv", "auto"]  # auto: spell_checker detects it per essay
    callback_url: SafeText = Field(min_length=1, max_length=2000)
    expected_essay_count: Int32 | None = Field(default=None, ge=0)


class PhaseCommandIn(BaseModel):
    """batch_orchestrator -> essay_lifecycle,
    ``POST /internal/v1/batches/{batch_id}/phases/{phase}``: start (or retry) a phase.

    ``settings`` is the phase's part of the batch settings: a ``SpellcheckSettings`` dump for
    spellcheck, a ``CjSettings`` dump for cj_assessment; essay_lifecycle spreads it into the
    job or assessment request, so it stays a JSON object here (validate it with the phase's
    settings model where the phase is known).
    """

    model_config = ConfigDict(extra="forbid")

    attempt: PositiveInt32 = 1
    essay_ids: list[uuid.UUID] | None = None
    last_phase: bool = False
    settings: SafeJson = Field(default_factory=dict)


class Anchor(BaseModel):
    """Part of ``CjSettings`` (teacher -> batch_orchestrator ``POST /v1/batches``, then in the
    cj_assessment phase command's settings): an essay of known grade that cj_assessment
    judges with the batch's essays."""

    grade: SafeText = Field(min_length=1, max_length=16)
    text: SafeText | None = Field(default=None, min_length=1)
    content_id: SafeText | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_source(self) -> Anchor:
        if (self.text is None) == (self.content_id is None):
            raise ValueError("an anchor needs exactly one of text and content_id")
        return self


class CjSettings(BaseModel):
    """The cj_assessment settings: teacher -> batch_orchestrator ``POST /v1/batches`` (``cj``),
    then batch_orchestrator -> essay_lifecycle as the phase command's ``settings``, then
    spread by essay_lifecycle into cj_assessment's ``AssessmentIn``."""

    model_config = ConfigDict(extra="forbid")

    judge: Literal["human", "llm", "baseline"] = "baseline"
    max_comparisons_per_essay: int = Field(default=20, ge=1, le=500)
    min_comparisons_per_essay: int = Field(default=5, ge=1, le=500)
    target_reliability: float = Field(default=0.8, gt=0, lt=1)
    anchors: list[Anchor] = Field(default_factory=list)
    grade_scale: list[SafeText] | None = Field(default=None, min_length=1, max_length=64)
    instructions: SafeText | None = Field(default=None, max_length=10_000)


class SpellcheckSettings(BaseModel):
    """The spellcheck settings: teacher -> batch_orchestrator ``POST /v1/batches``
    (``spellcheck``), then the phase command's ``settings``, then spread by essay_lifecycle
    into spell_checker's ``JobIn``."""

    model_config = ConfigDict(extra="forbid")

    ignore: list[SafeText] = Field(default_factory=list, max_length=1000)


class SummaryOut(BaseModel):
    """essay_lifecycle -> batch_orchestrator (the answer), ``GET /v1/batches/{batch_id}/summary``:
    the batch's essays by status. The orchestrator reads ``by_status`` to start the pipeline
    and shows the whole answer as the batch's ``essays``; a 404 means no essay announced yet."""

    batch_id: str
    total: int
    expected_essay_count: int | None
    by_status: dict[str, int]
    terminal: int
    completion_percent: float
    phases: list[dict[str, Any]]
