"""Phase runs: one attempt of one phase for a batch, and the rule that counts its essays out
("count the essay out of its run; the last one reports"), with what an essay's way through
a phase depends on."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.essay_lifecycle.domain.essays import (
    Essay,
    EssayStatus,
    Event,
    Phase,
    Transition,
    apply,
)

S, E = EssayStatus, Event


class PhaseRunStatus(str, enum.Enum):
    RUNNING = "running"
    REPORTED = "reported"


@dataclass(frozen=True)
class PhaseRun:
    """One attempt of one phase for a batch. It counts its essays still pending or in
    progress (``open_essays``); each essay is counted out once, when it leaves them."""

    batch_id: str
    phase: Phase
    attempt: int
    status: PhaseRunStatus
    essay_count: int
    settings: dict[str, Any]
    last_phase: bool
    open_essays: int = 0  # essays still pending or in progress; the outcome goes at zero
    created_at: datetime = field(kw_only=True)
    reported_at: datetime | None = None

    # The rule "count the essay out of its run; the last one reports", stated once. The
    # storage adapters apply it atomically (PhaseRunRepository.close, EssaySettler.settle);
    # their shared contract tests hold them to these three definitions.

    def counted_out(self, essays: int = 1) -> int | None:
        """The essays still open once ``essays`` have left pending/in progress, or None when
        the run no longer counts (it has reported: a late arrival changes nothing)."""
        if self.status is not PhaseRunStatus.RUNNING:
            return None
        return self.open_essays - essays

    def settles_alone(self) -> bool:
        """Whether one essay may be counted out by a transaction that cannot also send the
        outcome (the callback's fast path): only while another essay of the run stays open."""
        remaining = self.counted_out(1)
        return remaining is not None and remaining > 0


def reports(remaining: int | None) -> bool:
    """The run reports its outcome when its last open essay is counted out: the transaction
    that brings the count to zero sends it, so exactly one outcome goes per attempt."""
    return remaining == 0


def succeeded_in(essay: Essay, phase: Phase) -> bool:
    """Whether the essay counts as a success in ``phase``'s outcome."""
    done = {
        Phase.SPELLCHECK: S.SPELLCHECK_SUCCEEDED,
        Phase.CJ_ASSESSMENT: S.CJ_ASSESSMENT_SUCCEEDED,
    }[phase]
    return essay.status is done or (essay.status is S.COMPLETED and essay.phase is phase)


def text_to_check(essay: Essay) -> str | None:
    """The content spell_checker checks: the extracted text. None: nothing to check; the
    essay fails its spellcheck at once and is never sent."""
    return essay.text_content_id or None


def text_to_assess(essay: Essay) -> str | None:
    """The content cj_assessment judges: the corrected text when spellcheck made one, else
    the extracted text. None: nothing to assess; the essay fails its cj_assessment at once
    and is never sent (cj_assessment would refuse the whole batch's request for it)."""
    return essay.corrected_text_content_id or essay.text_content_id or None


def awaits_spellcheck(essay: Essay, run: PhaseRun) -> bool:
    """Whether a spellcheck result for ``run`` may still be applied to the essay."""
    return (
        essay.phase is Phase.SPELLCHECK
        and essay.phase_attempt == run.attempt
        and essay.status is S.SPELLCHECK_IN_PROGRESS
        and run.status is PhaseRunStatus.RUNNING
    )


def spellcheck_transitions(
    essay: Essay,
    run: PhaseRun,
    *,
    succeeded: bool,
    corrected_text_content_id: str | None,
    spelling: dict[str, Any],
    reason: str | None,
    correlation_id: str | None,
    at: datetime,
) -> list[Transition]:
    """The essay's way out of spellcheck_in_progress: succeeded (then completed, when this
    was the last phase asked for) or failed."""
    if not succeeded:
        failed = apply(
            essay,
            E.SPELLCHECK_FAILED,
            at=at,
            details={"reason": reason},
            correlation_id=correlation_id,
        )
        return [failed]
    done = apply(
        essay,
        E.SPELLCHECK_SUCCEEDED,
        at=at,
        details=spelling,
        correlation_id=correlation_id,
        spelling=spelling,
        corrected_text_content_id=corrected_text_content_id,
    )
    if not run.last_phase:
        return [done]
    return [done, apply(done.essay, E.COMPLETE, at=at, correlation_id=correlation_id)]


@dataclass(frozen=True, slots=True)
class Applied:
    """What a result callback did: ``applied`` False for a stale or repeated one (never an
    error, which the sender's outbox would retry)."""

    applied: bool
    reason: str | None = None
    outcome_sent: bool = False
