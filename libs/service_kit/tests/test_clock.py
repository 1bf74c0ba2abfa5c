from datetime import UTC, datetime, timedelta

import pytest
from dishka import Provider, Scope, make_async_container, provide

from service_kit.clock import Clock, SettableClock, SystemClock
from service_kit.di import ClockProvider, clock_provider


def test_system_clock_is_aware_utc():
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_settable_clock_stands_still_until_moved():
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    clock = SettableClock(start)
    assert clock.now() == start == clock.now()
    assert clock.advance(minutes=5) == start + timedelta(minutes=5)
    assert clock.advance(timedelta(hours=1)) == start + timedelta(hours=1, minutes=5)
    clock.set(start)
    assert clock.now() == start


def test_settable_clock_refuses_naive_times():
    with pytest.raises(ValueError):
        SettableClock(datetime(2026, 1, 1))


class Stamp:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock


class UseCases(Provider):
    scope = Scope.REQUEST
    stamp = provide(Stamp)


async def test_the_common_provider_gives_the_system_clock_at_app_scope():
    container = make_async_container(ClockProvider(), UseCases())
    try:
        async with container() as scope:
            first = await scope.get(Stamp)
        async with container() as scope:
            second = await scope.get(Stamp)
        assert isinstance(first.clock, SystemClock)
        assert first.clock is second.clock
    finally:
        await container.close()


async def test_a_test_overrides_the_clock():
    settable = SettableClock()
    container = make_async_container(ClockProvider(), UseCases(), clock_provider(settable))
    try:
        async with container() as scope:
            assert (await scope.get(Stamp)).clock is settable
    finally:
        await container.close()
