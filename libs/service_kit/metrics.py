"""Platform-wide Prometheus metrics, defined once per process (labels are never ids)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_QUERY_DURATION = Histogram(
    "db_query_duration_seconds",
    "Time of one database statement",
    ["operation"],
    buckets=(0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5),
)
DB_QUERIES = Counter("db_queries_total", "Database statements run", ["operation", "outcome"])
HTTP_REQUEST_DB_TIME = Histogram(
    "http_request_db_seconds",
    "Database time spent answering one HTTP request (all its statements)",
    ["method", "route"],
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.5),
)
