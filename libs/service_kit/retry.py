"""The one retry policy: what is worth trying again, and how long to wait before the next try.

What retries (``is_retryable_status`` / ``classify``):

- every 5xx: the peer failed, not the request;
- 408 Request Timeout and 429 Too Many Requests: the peer asks us to come back later;
- 409 Conflict: the platform's internal writes are idempotent (an ``Idempotency-Key`` or a
  natural key), and a 409 means the same request is still in flight or a row is locked by
  it; once that finishes the repeat is answered from the stored result;
- 425 Too Early: the peer will not process a possibly replayed request yet;
- transport errors (``httpx.TransportError``: connect, read/write/pool timeouts, a dropped
  connection): the request may never have arrived.

Every other 4xx is permanent: sending the same request again gets the same answer.

How long to wait (``RetryPolicy.delay``): exponential backoff with full jitter,
``uniform(0, min(max_delay, base * 2 ** (attempt - 1)))``, unless the peer sent Retry-After,
which is honoured up to ``max_retry_after``. Two ways to use the same policy:

- in process (peer clients, the LLM judge): ``policy.retrying()`` is a tenacity
  ``AsyncRetrying`` that stops after ``max_attempts`` and waits ``policy.delay``; raise
  ``Retryable`` (``raise_for_retry(response)`` does) for what should be tried again;
- scheduled in the database (outbox rows, jobs): store ``now + policy.delay(attempt)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

RETRYABLE_4XX = frozenset({408, 409, 425, 429})


class Verdict(Enum):
    OK = "ok"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"


def is_retryable_status(status: int) -> bool:
    """True for the statuses worth sending again: 5xx, 408, 409, 425 and 429."""
    return status >= 500 or status in RETRYABLE_4XX


def classify(outcome: httpx.Response | BaseException) -> Verdict:
    """An httpx response or the exception a request raised -> ok / retryable / permanent."""
    if isinstance(outcome, httpx.Response):
        status = outcome.status_code
        if status < 400:
            return Verdict.OK
        return Verdict.RETRYABLE if is_retryable_status(status) else Verdict.PERMANENT
    if isinstance(outcome, httpx.HTTPStatusError):
        return classify(outcome.response)
    if isinstance(outcome, httpx.TransportError):
        return Verdict.RETRYABLE
    return Verdict.PERMANENT


def retry_after_seconds(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """The response's Retry-After in seconds (delta-seconds or an HTTP date), None if absent
    or unreadable; never negative."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Retryable(Exception):
    """Raised inside a ``RetryPolicy.retrying()`` block for a failure worth another try.
    ``retry_after`` (seconds) is the peer's Retry-After, if it sent one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def raise_for_retry(response: httpx.Response, what: str = "the peer") -> httpx.Response:
    """Raise ``Retryable`` (with Retry-After) for a retryable status; return the response
    otherwise (2xx/3xx and permanent 4xx alike: the caller maps those)."""
    if classify(response) is Verdict.RETRYABLE:
        raise Retryable(
            f"HTTP {response.status_code} from {what}: {response.text[:200]}",
            retry_after_seconds(response),
        )
    return response


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 = the first try)."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        return random.uniform(0.0, ceiling)

    def exhausted(self, attempts: int) -> bool:
        """True once ``attempts`` tries were made and no more are allowed."""
        return attempts >= self.max_attempts

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        retry_after = error.retry_after if isinstance(error, Retryable) else None
        return self.delay(state.attempt_number, retry_after)

    def retrying(
        self, retry_on: type[BaseException] | tuple[type[BaseException], ...] = (), **kwargs: Any
    ) -> AsyncRetrying:
        """A tenacity ``AsyncRetrying`` for this policy: retries ``Retryable`` and
        ``httpx.TransportError`` (plus ``retry_on``), re-raises the last error when the
        attempts run out. Use as ``async for attempt in policy.retrying(): with attempt: ...``.
        ``kwargs`` go to tenacity (e.g. ``sleep=`` in tests, ``before_sleep=`` to log)."""
        extra = retry_on if isinstance(retry_on, tuple) else (retry_on,)
        return AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type((Retryable, httpx.TransportError, *extra)),
            reraise=True,
            **kwargs,
        )
