"""essay_lifecycle's own metrics (module level: registered once per process)."""

from prometheus_client import Counter

TRANSITIONS = Counter("essay_transitions_total", "Essay state transitions by event", ["event"])
PHASES_STARTED = Counter("essay_phases_started_total", "Phase runs started", ["phase"])
OUTCOMES = Counter(
    "essay_phase_outcomes_total", "Phase outcomes sent to the orchestrator", ["phase"]
)
