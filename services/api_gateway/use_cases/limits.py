"""Rate limits: fixed windows counted in the database, so every replica shares one count.

One row per (limit, subject, window start) is incremented with an atomic upsert that returns
the new count; a request is admitted while that count is at most the limit. Two replicas (or
twenty) therefore admit exactly ``limit`` per window between them; the cost is one short
statement per request. A fixed window lets a client spend two windows' worth around a window
boundary; the windows are short (a minute by default), which bounds that burst.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from service_kit.clock import Clock
from service_kit.errors import DomainError
from services.api_gateway import metrics_edge
from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.forwarding import LimitKind
from services.api_gateway.protocols_edge import RateLimitStore


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    window_seconds: int
    limits: dict[LimitKind, int]
    enabled: bool = True

    @classmethod
    def of(cls, s: EdgeSettings) -> RateLimitPolicy:
        return cls(
            window_seconds=s.rate_limit_window_seconds,
            limits={
                LimitKind.GENERAL: s.rate_limit_general,
                LimitKind.UPLOADS: s.rate_limit_uploads,
                LimitKind.JUDGING: s.rate_limit_judging,
                LimitKind.LOGIN: s.rate_limit_login,
            },
            enabled=s.rate_limits_enabled,
        )


@dataclass(frozen=True, slots=True)
class Admission:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the window ends
    window_seconds: int

    def headers(self) -> dict[str, str]:
        """The IETF draft's RateLimit-* fields (and Retry-After when refused)."""
        found = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit};w={self.window_seconds}",
        }
        if not self.allowed:
            found["Retry-After"] = str(self.reset_seconds)
        return found


@dataclass(frozen=True, slots=True)
class AdmitRequestCommand:
    kind: LimitKind
    subject: str  # a principal's id, or a client IP for logins


class AdmitRequest:
    def __init__(self, store: RateLimitStore, policy: RateLimitPolicy, clock: Clock) -> None:
        self._store = store
        self._policy = policy
        self._clock = clock

    async def execute(self, command: AdmitRequestCommand) -> Admission | None:
        """None when limits are off; otherwise the admission (refused ones raise nothing:
        the caller answers 429 with ``Admission.headers()``)."""
        if not self._policy.enabled:
            return None
        limit = self._policy.limits[command.kind]
        window = self._policy.window_seconds
        now = self._clock.now()
        start_epoch = math.floor(now.timestamp() / window) * window
        start = datetime.fromtimestamp(start_epoch, UTC)
        end = start + timedelta(seconds=window)
        count = await self._store.hit(f"{command.kind.value}:{command.subject}", start, end)
        return Admission(
            allowed=count <= limit,
            limit=limit,
            remaining=max(0, limit - count),
            reset_seconds=max(1, math.ceil((end - now).total_seconds())),
            window_seconds=window,
        )


def refusal(admission: Admission, kind: LimitKind) -> TooManyRequests:
    metrics_edge.RATE_LIMITED.labels(kind.value).inc()
    return TooManyRequests(
        f"at most {admission.limit} such requests per {admission.window_seconds} s; "
        f"try again in {admission.reset_seconds} s",
        retry_after=admission.reset_seconds,
    )


class PurgeRateLimits:
    """Forget the windows that have ended (run by the gateway's housekeeping loop)."""

    def __init__(self, store: RateLimitStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def execute(self) -> int:
        return await self._store.purge(self._clock.now())
