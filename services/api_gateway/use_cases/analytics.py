"""Request analytics: counted in the process, added to ``analytics_daily`` in batches, read
by admins grouped by route or by user."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from service_kit.clock import Clock
from service_kit.errors import InvalidInput
from services.api_gateway import sketch
from services.api_gateway.protocols_edge import AnalyticsCounts, AnalyticsKey, AnalyticsStore

Group = Literal["route", "user"]


def status_class(status: int) -> str:
    return f"{min(max(status // 100, 1), 5)}xx"


class AnalyticsBuffer:
    """This process's counts since the last flush (one per app); bounded by the number of
    distinct (day, route template, method, status class, principal) seen in one interval."""

    def __init__(self) -> None:
        self._rows: dict[AnalyticsKey, AnalyticsCounts] = {}
        self.lock = asyncio.Lock()

    def record(
        self, at: datetime, route: str, method: str, status: int, principal: str, ms: float
    ) -> None:
        key = AnalyticsKey(at.date(), route, method, status_class(status), principal)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = AnalyticsCounts(0, 0, 0.0, sketch.empty())
        row.count += 1
        row.errors += status >= 500
        row.latency_sum_ms += ms
        row.buckets[sketch.bucket_of(ms)] += 1

    def take(self) -> dict[AnalyticsKey, AnalyticsCounts]:
        rows, self._rows = self._rows, {}
        return rows

    def put_back(self, rows: dict[AnalyticsKey, AnalyticsCounts]) -> None:
        for key, row in rows.items():
            mine = self._rows.get(key)
            if mine is None:
                self._rows[key] = row
            else:
                mine.count += row.count
                mine.errors += row.errors
                mine.latency_sum_ms += row.latency_sum_ms
                sketch.merge(mine.buckets, row.buckets)


class FlushAnalytics:
    """Add what this process counted to the database (kept for the next try if that fails)."""

    def __init__(self, buffer: AnalyticsBuffer, store: AnalyticsStore) -> None:
        self._buffer = buffer
        self._store = store

    async def execute(self) -> int:
        async with self._buffer.lock:
            rows = self._buffer.take()
            if not rows:
                return 0
            try:
                await self._store.add(rows)
            except BaseException:
                self._buffer.put_back(rows)
                raise
            return len(rows)


@dataclass(frozen=True, slots=True)
class GetAnalyticsCommand:
    first: date
    last: date
    group: Group


@dataclass(slots=True)
class AnalyticsLine:
    key: dict[str, str]
    count: int = 0
    errors: int = 0
    latency_sum_ms: float = 0.0
    by_status_class: dict[str, int] = field(default_factory=dict)
    buckets: list[int] = field(default_factory=sketch.empty)

    @property
    def p50_ms(self) -> float | None:
        return sketch.quantile_ms(self.buckets, 0.5)

    @property
    def p95_ms(self) -> float | None:
        return sketch.quantile_ms(self.buckets, 0.95)

    @property
    def mean_ms(self) -> float | None:
        return round(self.latency_sum_ms / self.count, 3) if self.count else None


@dataclass(frozen=True, slots=True)
class GetAnalyticsResult:
    first: date
    last: date
    group: Group
    lines: list[AnalyticsLine]


class GetAnalytics:
    def __init__(self, store: AnalyticsStore, clock: Clock, max_days: int) -> None:
        self._store = store
        self._clock = clock
        self._max_days = max_days

    async def execute(self, command: GetAnalyticsCommand) -> GetAnalyticsResult:
        if command.last < command.first:
            raise InvalidInput("'to' is before 'from'", field="to")
        if (command.last - command.first).days + 1 > self._max_days:
            raise InvalidInput(f"ask for at most {self._max_days} days", field="to")
        lines: dict[tuple[str, ...], AnalyticsLine] = {}
        for key, counts in await self._store.between(command.first, command.last):
            if command.group == "route":
                ident: tuple[str, ...] = (key.route, key.method)
                labels = {"route": key.route, "method": key.method}
            else:
                ident = (key.principal,)
                labels = {"principal": key.principal}
            line = lines.get(ident)
            if line is None:
                line = lines[ident] = AnalyticsLine(labels)
            line.count += counts.count
            line.errors += counts.errors
            line.latency_sum_ms += counts.latency_sum_ms
            line.by_status_class[key.status_class] = (
                line.by_status_class.get(key.status_class, 0) + counts.count
            )
            sketch.merge(line.buckets, counts.buckets)
        ordered = sorted(lines.values(), key=lambda line: (-line.count, sorted(line.key.items())))
        return GetAnalyticsResult(command.first, command.last, command.group, ordered)
