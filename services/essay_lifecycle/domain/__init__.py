"""essay_lifecycle's domain: business rules in pure Python (no Quart, SQLAlchemy or httpx).

essays      the essay, its state machine as data (``TRANSITIONS``) and ``apply``
phase_runs  a phase attempt and the rule "count the essay out of its run; the last one
            reports" (``PhaseRun.counted_out``, ``settles_alone``, ``reports``)
batches     the batch and its summary
"""

from services.essay_lifecycle.domain.batches import Batch, BatchSummary
from services.essay_lifecycle.domain.essays import (
    ACTIVE,
    ELIGIBLE,
    PHASE_EVENTS,
    TERMINAL,
    TRANSITIONS,
    Essay,
    EssayStatus,
    Event,
    IllegalTransition,
    Phase,
    TimelineEvent,
    Transition,
    allowed_events,
    apply,
    new_essay,
    next_status,
    require_phase,
)
from services.essay_lifecycle.domain.phase_runs import (
    Applied,
    PhaseRun,
    PhaseRunStatus,
    awaits_spellcheck,
    reports,
    spellcheck_transitions,
    succeeded_in,
    text_to_assess,
    text_to_check,
)

__all__ = [
    "ACTIVE",
    "ELIGIBLE",
    "PHASE_EVENTS",
    "TERMINAL",
    "TRANSITIONS",
    "Applied",
    "Batch",
    "BatchSummary",
    "Essay",
    "EssayStatus",
    "Event",
    "IllegalTransition",
    "Phase",
    "PhaseRun",
    "PhaseRunStatus",
    "TimelineEvent",
    "Transition",
    "allowed_events",
    "apply",
    "awaits_spellcheck",
    "new_essay",
    "next_status",
    "reports",
    "require_phase",
    "spellcheck_transitions",
    "succeeded_in",
    "text_to_assess",
    "text_to_check",
]
