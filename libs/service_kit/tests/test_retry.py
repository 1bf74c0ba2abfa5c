from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from service_kit.retry import (
    Retryable,
    RetryPolicy,
    Verdict,
    classify,
    is_retryable_status,
    raise_for_retry,
    retry_after_seconds,
)


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504, 599])
def test_the_retryable_statuses(status):
    assert is_retryable_status(status)
    assert classify(httpx.Response(status)) is Verdict.RETRYABLE


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 415, 422])
def test_other_4xx_are_permanent(status):
    assert not is_retryable_status(status)
    assert classify(httpx.Response(status)) is Verdict.PERMANENT


@pytest.mark.parametrize("status", [200, 201, 202, 204, 303])
def test_success_is_ok(status):
    assert classify(httpx.Response(status)) is Verdict.OK


def test_transport_errors_retry_and_other_exceptions_do_not():
    request = httpx.Request("GET", "http://peer/x")
    assert classify(httpx.ConnectError("down", request=request)) is Verdict.RETRYABLE
    assert classify(httpx.ReadTimeout("slow", request=request)) is Verdict.RETRYABLE
    assert classify(httpx.RemoteProtocolError("cut", request=request)) is Verdict.RETRYABLE
    status_error = httpx.HTTPStatusError(
        "x", request=request, response=httpx.Response(503, request=request)
    )
    assert classify(status_error) is Verdict.RETRYABLE
    assert classify(ValueError("bug")) is Verdict.PERMANENT


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "7"})) == 7.0
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "-3"})) == 0.0
    assert retry_after_seconds(httpx.Response(429)) is None
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(
        httpx.Response(503, headers={"Retry-After": later}), now=now
    ) == pytest.approx(30.0)


def test_delay_is_full_jitter_under_an_exponential_capped_ceiling():
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (30, 10.0)]:
        delays = [policy.delay(attempt) for _ in range(300)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert min(delays) < ceiling * 0.25  # full jitter: not only the upper half
        assert max(delays) > ceiling * 0.75


def test_retry_after_is_honoured_up_to_its_bound():
    policy = RetryPolicy(max_retry_after=20.0)
    assert policy.delay(1, retry_after=5.0) == 5.0
    assert policy.delay(1, retry_after=3600.0) == 20.0
    assert policy.delay(1, retry_after=-1.0) == 0.0


def test_exhausted_after_max_attempts():
    policy = RetryPolicy(max_attempts=3)
    assert not policy.exhausted(2)
    assert policy.exhausted(3)


def test_raise_for_retry():
    ok, gone = httpx.Response(200), httpx.Response(404)
    assert raise_for_retry(ok) is ok
    assert raise_for_retry(gone) is gone
    with pytest.raises(Retryable) as caught:
        raise_for_retry(httpx.Response(429, headers={"Retry-After": "2"}), "content_service")
    assert caught.value.retry_after == 2.0
    assert "content_service" in str(caught.value)


async def test_retrying_tries_until_success_waiting_the_policy_delays():
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(429, headers={"Retry-After": "4"}),
            httpx.Response(200),
        ]
    )
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=1.0)
    calls = 0
    async for attempt in policy.retrying(sleep=sleep):
        with attempt:
            calls += 1
            response = raise_for_retry(next(answers))
    assert response.status_code == 200
    assert calls == 3
    assert 0.0 <= slept[0] <= 1.0
    assert slept[1] == 4.0


async def test_retrying_reraises_the_last_error_when_attempts_run_out():
    calls = 0

    async def sleep(seconds: float) -> None:
        pass

    request = httpx.Request("GET", "http://peer/x")
    with pytest.raises(httpx.ConnectError):
        async for attempt in RetryPolicy(max_attempts=3).retrying(sleep=sleep):
            with attempt:
                calls += 1
                raise httpx.ConnectError("down", request=request)
    assert calls == 3


async def test_retrying_does_not_retry_permanent_errors():
    calls = 0
    with pytest.raises(ValueError):
        async for attempt in RetryPolicy(max_attempts=3).retrying():
            with attempt:
                calls += 1
                raise ValueError("bug")
    assert calls == 1


async def test_retrying_retries_extra_exception_types():
    class Malformed(Exception):
        pass

    calls = 0

    async def sleep(seconds: float) -> None:
        pass

    async for attempt in RetryPolicy(max_attempts=3).retrying(Malformed, sleep=sleep):
        with attempt:
            calls += 1
            if calls < 3:
                raise Malformed("not json")
    assert calls == 3
