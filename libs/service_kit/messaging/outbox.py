"""The HTTP outbox: a call written in the caller's transaction, sent by a relay after commit.

    await outbox.enqueue(session, tables.outbox, "POST", url, json=body, idempotency_key=key)
    await session.commit()   # the row and the state change land together, or neither does

The relay claims due rows with FOR UPDATE SKIP LOCKED and keeps them locked while it sends,
so two replicas never send one row at the same time; a relay that dies mid-send leaves its
rows pending (its transaction never commits) and they go out again after restart.
Receivers are idempotent on ``Idempotency-Key``: at-least-once delivery, exactly-once effect.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from prometheus_client import Counter, Gauge
from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service_kit import correlation
from service_kit.logging import get_logger
from service_kit.messaging.notify import Listener, notify
from service_kit.messaging.tables import OutboxStatus
from service_kit.retry import RetryPolicy, Verdict, classify, retry_after_seconds

CHANNEL = "outbox"
log = get_logger("service_kit.outbox")

OUTBOX_PENDING = Gauge("outbox_pending", "Outbox rows waiting to be delivered")
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_pending_age_seconds", "Age of the oldest undelivered outbox row"
)
OUTBOX_DELIVERIES = Counter(
    "outbox_deliveries_total", "Outbox send attempts by outcome", ["outcome"]
)


async def enqueue(
    session: AsyncSession,
    outbox: Table,
    method: str,
    url: str,
    *,
    json: Any = None,
    idempotency_key: str,
) -> None:
    """Add a call to the caller's transaction. The same key twice is one call."""
    await session.execute(
        insert(outbox)
        .values(
            method=method.upper(),
            url=url,
            body=json,
            idempotency_key=idempotency_key,
            correlation_id=correlation.current(),
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    await notify(session, CHANNEL)


@dataclass(frozen=True)
class RelaySettings:
    max_attempts: int = 12
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 60.0
    batch_size: int = 20
    poll_seconds: float = 5.0
    token: str | None = None
    timeout_seconds: float = 10.0

    @property
    def retry(self) -> RetryPolicy:
        """The shared retry policy with this relay's attempts and backoff."""
        return RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=self.backoff_base_seconds,
            max_delay=self.backoff_max_seconds,
            max_retry_after=self.backoff_max_seconds,
        )


@dataclass(frozen=True)
class Outcome:
    status: OutboxStatus
    http_status: int | None
    error: str | None
    retry_after: float | None = None


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Table,
        settings: RelaySettings,
        listener: Listener | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._settings = settings
        self._wake = listener.event(CHANNEL) if listener else asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                settings.timeout_seconds, connect=min(3.0, settings.timeout_seconds)
            )
        )

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        # the flag, not only the cancel: a cancel can be swallowed by wait_for when a wake-up
        # lands at the same moment (Python 3.11), or surface as a driver error mid-connect
        self._stopping = True
        self._wake.set()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before delivering: a commit during delivery wakes the next wait
            try:
                claimed = await self.deliver_due()
                await self._refresh_gauges()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the relay must outlive any one failure
                if self._stopping:
                    return
                log.exception("outbox_relay_error", error=repr(exc))
                claimed = 0
            if claimed >= self._settings.batch_size:
                continue
            if self._stopping:
                return
            delay = await self._seconds_until_next_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _seconds_until_next_due(self) -> float:
        o = self._outbox
        async with self._engine.connect() as connection:
            due = await connection.scalar(
                select(func.min(o.c.next_attempt_at)).where(o.c.status == OutboxStatus.PENDING)
            )
        if due is None:
            return self._settings.poll_seconds
        wait = (due - datetime.now(UTC)).total_seconds()
        # rows due but locked by another replica: look again soon, without spinning
        return max(0.05, min(wait, self._settings.poll_seconds))

    async def deliver_due(self) -> int:
        """Claim up to a batch of due rows, send them, record the outcomes; one transaction."""
        o = self._outbox
        async with self._engine.begin() as connection:
            rows = (
                await connection.execute(
                    select(o)
                    .where(o.c.status == OutboxStatus.PENDING, o.c.next_attempt_at <= func.now())
                    .order_by(o.c.id)
                    .limit(self._settings.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            outcomes = await asyncio.gather(*(self._send(row) for row in rows))
            for row, outcome in zip(rows, outcomes, strict=True):
                await connection.execute(
                    update(o).where(o.c.id == row.id).values(**self._changes(row, outcome))
                )
        return len(rows)

    def _changes(self, row: Any, outcome: Outcome) -> dict[str, Any]:
        attempts = row.attempts + 1
        status = outcome.status
        if status is OutboxStatus.PENDING and self._settings.retry.exhausted(attempts):
            status = OutboxStatus.DEAD
        changes: dict[str, Any] = {
            "attempts": attempts,
            "status": status,
            "last_status": outcome.http_status,
            "last_error": outcome.error,
        }
        if status is OutboxStatus.DELIVERED:
            changes["delivered_at"] = datetime.now(UTC)
            OUTBOX_DELIVERIES.labels("delivered").inc()
        elif status is OutboxStatus.DEAD:
            OUTBOX_DELIVERIES.labels("dead").inc()
            log.error("outbox_row_dead", url=row.url, attempts=attempts, error=outcome.error)
        else:
            changes["next_attempt_at"] = datetime.now(UTC) + timedelta(
                seconds=self._settings.retry.delay(attempts, outcome.retry_after)
            )
            OUTBOX_DELIVERIES.labels("retry").inc()
        return changes

    async def _send(self, row: Any) -> Outcome:
        headers = {"Idempotency-Key": row.idempotency_key}
        if row.correlation_id:
            headers[correlation.HEADER] = row.correlation_id
        if self._settings.token:
            headers["Authorization"] = f"Bearer {self._settings.token}"
        try:
            response = await self._client.request(
                row.method, row.url, json=row.body, headers=headers
            )
        except httpx.HTTPError as exc:
            # transport errors are retried; anything else httpx raises (too many redirects)
            # is, as before, tried again too: the row turns dead when its attempts run out
            return Outcome(OutboxStatus.PENDING, None, f"{type(exc).__name__}: {exc}")
        code = response.status_code
        verdict = classify(response)
        if verdict is Verdict.OK:
            return Outcome(OutboxStatus.DELIVERED, code, None)
        detail = f"HTTP {code}: {response.text[:500]}"
        if verdict is Verdict.PERMANENT:
            return Outcome(OutboxStatus.DEAD, code, detail)
        return Outcome(OutboxStatus.PENDING, code, detail, retry_after_seconds(response))

    async def _refresh_gauges(self) -> None:
        o = self._outbox
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(func.count(), func.min(o.c.created_at)).where(
                        o.c.status == OutboxStatus.PENDING
                    )
                )
            ).one()
        OUTBOX_PENDING.set(row[0])
        OUTBOX_OLDEST_AGE.set((datetime.now(UTC) - row[1]).total_seconds() if row[1] else 0)
