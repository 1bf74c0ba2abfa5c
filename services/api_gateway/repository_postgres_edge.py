"""EDGE's PostgreSQL adapters: rate-limit counters and analytics (tables in models_db.py).

The hot path (one counter per request) uses service_kit's
raw asyncpg pool; the analytics flush, a few upserts every few seconds, the engine.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text

from service_kit.db import Database
from services.api_gateway.protocols_edge import AnalyticsCounts, AnalyticsKey

MAX_KEY = 200  # rate_limit_counters.key

_HIT = """
INSERT INTO rate_limit_counters (key, window_start, count, expires_at)
VALUES ($1, $2, 1, $3)
ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
RETURNING count
"""
_PURGE = """
WITH gone AS (DELETE FROM rate_limit_counters WHERE expires_at < $1 RETURNING 1)
SELECT count(*) AS n FROM gone
"""
# fixed buckets add element by element, so replicas' flushes into one row add up exactly
_ADD = text(
    """
INSERT INTO analytics_daily
    (day, route, method, status_class, principal, count, errors, latency_sum_ms, latency_buckets)
VALUES (:day, :route, :method, :status_class, :principal, :count, :errors, :latency_sum_ms,
        :latency_buckets)
ON CONFLICT (day, route, method, status_class, principal) DO UPDATE SET
    count = analytics_daily.count + excluded.count,
    errors = analytics_daily.errors + excluded.errors,
    latency_sum_ms = analytics_daily.latency_sum_ms + excluded.latency_sum_ms,
    latency_buckets = ARRAY(
        SELECT coalesce(a, 0) + coalesce(b, 0)
        FROM unnest(analytics_daily.latency_buckets, excluded.latency_buckets)
             WITH ORDINALITY AS t(a, b, i)
        ORDER BY i)
"""
)
_BETWEEN = text(
    """
SELECT day, route, method, status_class, principal, count, errors, latency_sum_ms,
       latency_buckets
FROM analytics_daily WHERE day BETWEEN :first AND :last
"""
)


class PostgresRateLimits:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def hit(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        row = await self._database.fetchrow(_HIT, key[:MAX_KEY], window_start, expires_at)
        assert row is not None
        return int(row["count"])

    async def purge(self, now: datetime) -> int:
        row = await self._database.fetchrow(_PURGE, now)
        return 0 if row is None else int(row["n"])


class PostgresAnalytics:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, rows: dict[AnalyticsKey, AnalyticsCounts]) -> None:
        values = [
            {
                "day": key.day,
                "route": key.route[:300],
                "method": key.method[:16],
                "status_class": key.status_class,
                "principal": key.principal[:64],
                "count": counts.count,
                "errors": counts.errors,
                "latency_sum_ms": counts.latency_sum_ms,
                "latency_buckets": counts.buckets,
            }
            # one order for every replica's flush: no two flushes wait on each other's rows
            for key, counts in sorted(
                rows.items(),
                key=lambda kv: (
                    kv[0].day,
                    kv[0].route,
                    kv[0].method,
                    kv[0].status_class,
                    kv[0].principal,
                ),
            )
        ]
        async with self._database.engine.begin() as connection:
            await connection.execute(_ADD, values)

    async def between(self, first: date, last: date) -> list[tuple[AnalyticsKey, AnalyticsCounts]]:
        async with self._database.engine.connect() as connection:
            result = await connection.execute(_BETWEEN, {"first": first, "last": last})
            found = []
            for row in result:
                r = row._mapping
                key = AnalyticsKey(
                    r["day"], r["route"], r["method"], r["status_class"], r["principal"]
                )
                counts = AnalyticsCounts(
                    r["count"], r["errors"], r["latency_sum_ms"], list(r["latency_buckets"] or [])
                )
                found.append((key, counts))
            return found
