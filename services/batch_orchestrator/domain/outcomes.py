"""A phase attempt's outcome as essay_lifecycle reports it, and how a batch ends once no
phase is left to run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.outcomes import EssayOutcome
from services.batch_orchestrator.domain.batches import (
    B,
    Batch,
    BatchStatus,
    P,
    PhaseAttempt,
    PhaseState,
)
from services.batch_orchestrator.domain.results import EssayResult, unaccounted_files


@dataclass(frozen=True)
class Outcome:
    """essay_lifecycle's report of one phase attempt (``contracts.outcomes.OutcomeIn``):
    the essays that succeeded and failed, each essay's row of the results table, and the
    phase's summary (cj_assessment's figures; empty for spellcheck)."""

    phase: str
    attempt: int
    succeeded: list[str]
    failed: list[str]
    results: dict[str, EssayOutcome]
    summary: dict[str, Any]

    @property
    def phase_state(self) -> PhaseState:
        if not self.succeeded:
            return P.FAILED
        return P.PARTIALLY_SUCCEEDED if self.failed else P.SUCCEEDED

    def essay_results(self, batch_id: str, at: datetime) -> list[EssayResult]:
        """The essays' rows of the results table as this outcome reports them (figures kept
        as they came)."""
        return [
            EssayResult(
                essay_id,
                batch_id,
                r.file_id,
                r.filename,
                r.status,
                None if r.spelling is None else r.spelling.model_dump(exclude_unset=True),
                r.corrected_text_content_id,
                None if r.assessment is None else r.assessment.model_dump(exclude_unset=True),
                updated_at=at,
            )
            for essay_id, r in self.results.items()
        ]


def essay_failed(status: str) -> bool:
    """An essay status reported by essay_lifecycle that leaves the essay without a result."""
    return status.endswith("_failed") or status == "cancelled"


def final_status(
    attempts: list[PhaseAttempt],
    essay_statuses: list[str],
    rejected: int = 0,
    unaccounted: int = 0,
) -> BatchStatus:
    """The batch's end. A phase in which no essay ever succeeded fails the batch; any essay
    left failed (in any phase, by any attempt), any file rejected before the pipeline
    started, or any accepted file missing from the results, makes it complete with failures."""
    by_phase: dict[str, list[PhaseAttempt]] = {}
    for attempt in attempts:
        if attempt.status not in (P.PENDING, P.SKIPPED, P.CANCELLED):
            by_phase.setdefault(attempt.phase, []).append(attempt)
    if any(sum(run.succeeded for run in runs) == 0 for runs in by_phase.values()):
        return B.FAILED
    if rejected or unaccounted or any(essay_failed(status) for status in essay_statuses):
        return B.COMPLETED_WITH_FAILURES
    return B.COMPLETED


def batch_end(
    batch: Batch, attempts: list[PhaseAttempt], essay_statuses: list[str]
) -> tuple[BatchStatus, dict[str, Any]]:
    """How a batch ends once no phase is left to run: its final status, and its results
    summary with the accepted files missing from the results counted (when any are)."""
    summary = batch.results_summary
    rejected = int(summary.get("rejected_essays", 0))
    accepted = summary.get("accepted_files")
    missing = unaccounted_files(
        None if accepted is None else int(accepted), len(essay_statuses), rejected
    )
    if missing:
        summary = {**summary, "unaccounted_files": missing}
    status = final_status(attempts, essay_statuses, rejected=rejected, unaccounted=missing)
    return status, summary
