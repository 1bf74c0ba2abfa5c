"""EDGE's metrics (labels: limit kinds and service names, never ids)."""

from prometheus_client import Counter, Histogram

RATE_LIMITED = Counter(
    "gateway_rate_limited_total", "Requests refused by a rate limit (429)", ["kind"]
)
FORWARDED = Counter(
    "gateway_forwarded_total",
    "Requests forwarded to a service, by its answer",
    ["service", "status"],
)
UPSTREAM_SECONDS = Histogram(
    "gateway_upstream_seconds",
    "Time from sending a request to a service to its answer's headers",
    ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UPSTREAM_UNAVAILABLE = Counter(
    "gateway_upstream_unavailable_total", "Requests a service did not answer", ["service"]
)
OWNERSHIP_REFUSED = Counter(
    "gateway_ownership_refused_total", "Requests answered 404 by the ownership check", ["kind"]
)
