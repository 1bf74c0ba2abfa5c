"""EDGE's ports: the six services (upstream), who owns a batch, rate-limit counters,
analytics. Implementations: upstream.py (httpx), repository_postgres_edge.py,
repository_memory_edge.py."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from services.api_gateway.forwarding import Owned


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    service: str
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    user_id: str  # the verified principal, sent as X-User-ID
    body: bytes | AsyncIterable[bytes] | None = None


@dataclass(slots=True)
class UpstreamAnswer:
    """A service's answer, its body not read yet: ``chunks()`` streams it, ``read()`` buffers
    it (small JSON answers the gateway looks into); ``close()`` frees the connection."""

    status: int
    headers: dict[str, str]
    chunks: Callable[[], AsyncIterator[bytes]]
    close: Callable[[], Awaitable[None]]
    buffered: bytes | None = field(default=None)

    async def read(self) -> bytes:
        if self.buffered is None:
            parts = [chunk async for chunk in self.chunks()]
            self.buffered = b"".join(parts)
            await self.close()
        return self.buffered


class Upstream(Protocol):
    async def open(self, call: UpstreamCall) -> UpstreamAnswer:
        """Send the call; the answer's headers are in, its body is not read."""
        ...

    async def fetch_json(self, service: str, path: str) -> dict[str, Any] | None:
        """GET ``path`` as a trusted caller (no user); None when the service says 404."""
        ...


class ResourceDirectory(Protocol):
    """Asks the services which batch a resource belongs to and who owns a batch."""

    async def batch_of(self, kind: Owned, resource_id: str) -> str | None: ...

    async def owner_of(self, batch_id: str) -> str | None: ...


class RateLimitStore(Protocol):
    async def hit(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        """Count one request in ``key``'s window atomically; the count including it."""
        ...

    async def purge(self, now: datetime) -> int:
        """Forget windows that expired before ``now``; how many."""
        ...


@dataclass(frozen=True, slots=True)
class AnalyticsKey:
    day: date
    route: str  # the route template, never an id
    method: str
    status_class: str  # "2xx" ... "5xx"
    principal: str  # the principal's id, "" for an anonymous request


@dataclass(slots=True)
class AnalyticsCounts:
    count: int
    errors: int
    latency_sum_ms: float
    buckets: list[int]  # sketch.py's bucket counts, always sketch.BUCKETS long


class AnalyticsStore(Protocol):
    async def add(self, rows: dict[AnalyticsKey, AnalyticsCounts]) -> None:
        """Add these counts to the stored ones (an upsert per key: replicas add up)."""
        ...

    async def between(self, first: date, last: date) -> list[tuple[AnalyticsKey, AnalyticsCounts]]:
        """The rows of the days ``first..last`` (inclusive)."""
        ...
