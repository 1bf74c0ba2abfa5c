"""cj_assessment's own metrics (module level: registered once per process)."""

from prometheus_client import Counter, Histogram

COMPARISONS = Counter(
    "cj_comparisons_total",
    "Comparisons by judge type and outcome (answered, failed, handed_out)",
    ["judge", "outcome"],
)
RELIABILITY_AT_COMPLETION = Histogram(
    "cj_reliability_at_completion",
    "The reported reliability of each assessment when it completed",
    buckets=(0.0, 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0),
)
ASSESSMENTS = Counter(
    "cj_assessments_total", "Assessments by outcome (created, completed, failed)", ["outcome"]
)
FIT_DURATION = Histogram(
    "cj_fit_duration_seconds",
    "Time to refit the scale (and choose the next pairs) once",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
