"""api_gateway's own metrics (module level: registered once per process)."""

from prometheus_client import Counter

LOGINS = Counter("gateway_logins_total", "Login attempts by outcome", ["outcome"])
AUTH_FAILURES = Counter(
    "gateway_auth_failures_total", "Requests refused by authentication", ["reason"]
)
