"""The phase outcome essay_lifecycle sends batch_orchestrator when a phase run's last open
essay is done."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.cj import CjRunSummary, RankedEssay
from contracts.spellcheck import SpellcheckFigures
from service_kit.fields import PositiveInt32, SafeText


class FailedEssay(BaseModel):
    """One entry of ``OutcomeIn.failed``: an essay of the run that did not succeed."""

    model_config = ConfigDict(extra="forbid")

    essay_id: SafeText
    status: SafeText


class EssayOutcome(BaseModel):
    """One value of ``OutcomeIn.results`` (essay_lifecycle's ``outcomes._result``): a row of
    the batch's results table. Defaults are what the orchestrator assumed for a missing key."""

    model_config = ConfigDict(extra="forbid")

    file_id: SafeText | None = None
    filename: SafeText | None = None
    status: SafeText = "unknown"
    spelling: SpellcheckFigures | None = None
    corrected_text_content_id: SafeText | None = None
    assessment: RankedEssay | None = None


class OutcomeIn(BaseModel):
    """essay_lifecycle -> batch_orchestrator,
    ``POST /internal/v1/batches/{batch_id}/phase-outcomes``: a phase run's outcome, sent once.

    ``summary`` is ``{}`` for spellcheck and the cj_assessment run's figures for
    cj_assessment; read it with ``summary.model_dump(exclude_none=True)`` (empty: nothing to
    keep).
    """

    model_config = ConfigDict(extra="forbid")

    phase: SafeText = Field(max_length=64)
    attempt: PositiveInt32
    succeeded: list[SafeText]
    failed: list[FailedEssay]
    results: dict[SafeText, EssayOutcome] = Field(default_factory=dict)
    summary: CjRunSummary = Field(default_factory=CjRunSummary)
