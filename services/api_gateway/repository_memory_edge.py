"""EDGE's in-memory adapters (the memory repository and unit tests): same behaviour as the
PostgreSQL ones within one process."""

from __future__ import annotations

from datetime import date, datetime

from services.api_gateway import sketch
from services.api_gateway.protocols_edge import AnalyticsCounts, AnalyticsKey


class MemoryRateLimits:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, datetime], tuple[int, datetime]] = {}

    async def hit(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        count, _ = self.counts.get((key, window_start), (0, expires_at))
        self.counts[(key, window_start)] = (count + 1, expires_at)
        return count + 1

    async def purge(self, now: datetime) -> int:
        gone = [k for k, (_, expires) in self.counts.items() if expires < now]
        for k in gone:
            del self.counts[k]
        return len(gone)


class MemoryAnalytics:
    def __init__(self) -> None:
        self.rows: dict[AnalyticsKey, AnalyticsCounts] = {}

    async def add(self, rows: dict[AnalyticsKey, AnalyticsCounts]) -> None:
        for key, counts in rows.items():
            mine = self.rows.get(key)
            if mine is None:
                self.rows[key] = AnalyticsCounts(
                    counts.count, counts.errors, counts.latency_sum_ms, list(counts.buckets)
                )
            else:
                mine.count += counts.count
                mine.errors += counts.errors
                mine.latency_sum_ms += counts.latency_sum_ms
                sketch.merge(mine.buckets, counts.buckets)

    async def between(self, first: date, last: date) -> list[tuple[AnalyticsKey, AnalyticsCounts]]:
        return [(k, v) for k, v in self.rows.items() if first <= k.day <= last]
