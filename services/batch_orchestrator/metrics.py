"""batch_orchestrator's own metrics (module level: registered once per process)."""

from prometheus_client import Counter

BATCHES = Counter("batches_total", "Batches by what happened to them", ["event"])
PHASES_DISPATCHED = Counter("batch_phases_dispatched_total", "Phase commands sent", ["phase"])
RETRIES = Counter("batch_phase_retries_total", "Phase retries asked for", ["phase"])
