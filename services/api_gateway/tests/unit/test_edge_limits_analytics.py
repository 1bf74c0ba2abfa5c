"""Rate-limit windows, the latency sketch and the analytics read, on the memory stores."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from service_kit.clock import SettableClock
from service_kit.errors import InvalidInput
from services.api_gateway import sketch
from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.forwarding import LimitKind
from services.api_gateway.repository_memory_edge import MemoryAnalytics, MemoryRateLimits
from services.api_gateway.use_cases.analytics import (
    AnalyticsBuffer,
    FlushAnalytics,
    GetAnalytics,
    GetAnalyticsCommand,
    status_class,
)
from services.api_gateway.use_cases.limits import (
    AdmitRequest,
    AdmitRequestCommand,
    PurgeRateLimits,
    RateLimitPolicy,
)

T0 = datetime(2026, 12, 5, 12, 0, 10, tzinfo=UTC)


def policy(**limits: int) -> RateLimitPolicy:
    settings = EdgeSettings(
        rate_limit_window_seconds=60, **{f"rate_limit_{k}": v for k, v in limits.items()}
    )
    return RateLimitPolicy.of(settings)


async def test_a_window_admits_its_limit_then_refuses_until_it_ends() -> None:
    clock, store = SettableClock(T0), MemoryRateLimits()
    admit = AdmitRequest(store, policy(uploads=3), clock)
    seen = [await admit.execute(AdmitRequestCommand(LimitKind.UPLOADS, "p1")) for _ in range(4)]
    assert [a.allowed for a in seen if a] == [True, True, True, False]
    refused = seen[-1]
    assert refused is not None
    headers = refused.headers()
    assert headers["Retry-After"] == "50" and headers["RateLimit-Remaining"] == "0"
    assert headers["RateLimit-Limit"] == "3" and headers["RateLimit-Policy"] == "3;w=60"
    # another subject and another kind count apart
    other = await admit.execute(AdmitRequestCommand(LimitKind.UPLOADS, "p2"))
    assert other is not None and other.allowed and other.remaining == 2
    clock.advance(timedelta(seconds=50))
    again = await admit.execute(AdmitRequestCommand(LimitKind.UPLOADS, "p1"))
    assert again is not None and again.allowed
    assert await PurgeRateLimits(store, clock).execute() == 0
    clock.advance(timedelta(minutes=2))
    assert await PurgeRateLimits(store, clock).execute() == 3


async def test_limits_can_be_switched_off() -> None:
    settings = EdgeSettings(rate_limits_enabled=False)
    admit = AdmitRequest(MemoryRateLimits(), RateLimitPolicy.of(settings), SettableClock(T0))
    assert await admit.execute(AdmitRequestCommand(LimitKind.GENERAL, "p")) is None


def test_the_sketch_reports_quantiles_within_five_percent() -> None:
    rng = random.Random(7)
    durations = sorted(rng.lognormvariate(3, 1) for _ in range(20_000))
    buckets = sketch.empty()
    for d in durations:
        buckets[sketch.bucket_of(d)] += 1
    for q in (0.5, 0.95, 0.99):
        true = durations[int(q * len(durations)) - 1]
        found = sketch.quantile_ms(buckets, q)
        assert found is not None and abs(found - true) / true < 0.06
    assert sketch.quantile_ms(sketch.empty(), 0.5) is None
    assert sketch.bucket_of(0.0) == 0 and sketch.bucket_of(1e12) == sketch.BUCKETS - 1


def test_status_classes() -> None:
    assert [status_class(s) for s in (200, 204, 302, 404, 429, 503)] == [
        "2xx",
        "2xx",
        "3xx",
        "4xx",
        "4xx",
        "5xx",
    ]


async def test_analytics_flush_adds_up_and_groups_by_route_or_user() -> None:
    store, clock = MemoryAnalytics(), SettableClock(T0)
    for _ in range(2):  # two replicas' buffers flushed into one store
        buffer = AnalyticsBuffer()
        for ms in (10.0, 10.0, 10.0, 100.0):
            buffer.record(T0, "/v1/batches/<batch_id>", "GET", 200, "alice", ms)
        buffer.record(T0, "/v1/batches/<batch_id>", "GET", 503, "bob", 1000.0)
        buffer.record(T0 - timedelta(days=3), "/v1/batches", "POST", 201, "alice", 5.0)
        assert await FlushAnalytics(buffer, store).execute() == 3
        assert await FlushAnalytics(buffer, store).execute() == 0
    get = GetAnalytics(store, clock, 31)
    today = T0.date()
    by_route = await get.execute(GetAnalyticsCommand(today, today, "route"))
    assert len(by_route.lines) == 1
    line = by_route.lines[0]
    assert line.key == {"route": "/v1/batches/<batch_id>", "method": "GET"}
    assert (line.count, line.errors) == (10, 2)
    assert line.by_status_class == {"2xx": 8, "5xx": 2}
    assert line.p50_ms is not None and abs(line.p50_ms - 10) < 0.6
    assert line.p95_ms is not None and abs(line.p95_ms - 1000) < 60
    by_user = await get.execute(GetAnalyticsCommand(today - timedelta(days=7), today, "user"))
    assert [(x.key["principal"], x.count) for x in by_user.lines] == [("alice", 10), ("bob", 2)]


async def test_analytics_ranges_are_checked() -> None:
    get = GetAnalytics(MemoryAnalytics(), SettableClock(T0), 31)
    with pytest.raises(InvalidInput):
        await get.execute(GetAnalyticsCommand(date(2026, 12, 5), date(2026, 12, 1), "route"))
    with pytest.raises(InvalidInput):
        await get.execute(GetAnalyticsCommand(date(2026, 1, 1), date(2026, 12, 1), "route"))
