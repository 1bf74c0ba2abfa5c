"""Durable jobs: rows claimed with SKIP LOCKED under a lease that the worker keeps renewing.

A worker that dies stops renewing; when its lease expires another worker claims the job
again. Handlers must therefore be safe to repeat: each step checks what is already done.
A handler raises ``PermanentJobError`` for work that can never succeed; any other error is
retried with backoff until ``max_attempts``, then the job is failed with the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service_kit import correlation
from service_kit.logging import get_logger
from service_kit.messaging.notify import Listener, notify
from service_kit.messaging.tables import JobStatus
from service_kit.retry import RetryPolicy

CHANNEL = "jobs"
log = get_logger("service_kit.jobs")

JOBS_FINISHED = Counter(
    "jobs_finished_total", "Jobs finished by kind and outcome", ["kind", "outcome"]
)
JOB_DURATION = Histogram("job_duration_seconds", "Time a job handler ran", ["kind"])


class PermanentJobError(Exception):
    """The job can never succeed: fail it now with this message."""


@dataclass(frozen=True)
class Job:
    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    correlation_id: str | None

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts

    @property
    def exhausted(self) -> bool:
        """Claimed past its last attempt: the workers that ran it died. Its handler is called
        once more so it can record the failure in its own terms; the job is then failed."""
        return self.attempts > self.max_attempts


Handler = Callable[[Job], Awaitable[None]]


async def enqueue_job(
    session: AsyncSession,
    jobs: Table,
    kind: str,
    payload: dict[str, Any],
    *,
    dedup_key: str | None = None,
    max_attempts: int = 5,
) -> uuid.UUID | None:
    """Add a job in the caller's transaction; None when ``dedup_key`` already names one."""
    job_id = uuid.uuid4()
    statement = insert(jobs).values(
        id=job_id,
        kind=kind,
        payload=payload,
        dedup_key=dedup_key,
        max_attempts=max_attempts,
        correlation_id=correlation.current(),
    )
    if dedup_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
    inserted = await session.execute(statement.returning(jobs.c.id))
    await notify(session, CHANNEL)
    row = inserted.first()
    return None if row is None else row[0]


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 2
    lease_seconds: float = 30.0
    poll_seconds: float = 5.0
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 60.0

    @property
    def retry(self) -> RetryPolicy:
        """The shared retry policy's backoff with this worker's base and cap (the number of
        attempts is each job's own ``max_attempts``)."""
        return RetryPolicy(base_delay=self.retry_base_seconds, max_delay=self.retry_max_seconds)


class JobWorkers:
    """``concurrency`` claim loops inside one service process."""

    def __init__(
        self,
        engine: AsyncEngine,
        jobs: Table,
        handlers: Mapping[str, Handler],
        settings: WorkerSettings,
        listener: Listener | None = None,
    ) -> None:
        self._engine = engine
        self._jobs = jobs
        self._handlers = dict(handlers)
        self._settings = settings
        self._wake = listener.event(CHANNEL) if listener else asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.worker_id = uuid.uuid4().hex
        self._lease = timedelta(seconds=settings.lease_seconds)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(), name=f"job-worker-{i}")
            for i in range(self._settings.concurrency)
        ]

    async def stop(self) -> None:
        self._stopping = True  # see OutboxRelay.stop: a cancel alone can be lost
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                job = await self.claim()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep the worker alive
                if self._stopping:
                    return
                log.exception("job_claim_failed", error=repr(exc))
                job = None
            if job is not None:
                await self.run(job)
                continue
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._settings.poll_seconds)

    async def claim(self) -> Job | None:
        j = self._jobs
        now = func.now()  # the database's clock, shared by every replica
        claimable = (
            select(j.c.id)
            .where(
                j.c.kind.in_(list(self._handlers)),
                or_(
                    and_(j.c.status == JobStatus.QUEUED, j.c.run_after <= now),
                    and_(j.c.status == JobStatus.RUNNING, j.c.lease_expires_at < now),
                ),
            )
            .order_by(j.c.run_after)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        async with self._engine.begin() as connection:
            row = (
                await connection.execute(
                    update(j)
                    .where(j.c.id == claimable)
                    .values(
                        status=JobStatus.RUNNING,
                        attempts=j.c.attempts + 1,
                        worker_id=self.worker_id,
                        lease_expires_at=now + self._lease,
                    )
                    .returning(j)
                )
            ).first()
        if row is None:
            return None
        return Job(
            row.id, row.kind, row.payload, row.attempts, row.max_attempts, row.correlation_id
        )

    async def run(self, job: Job) -> None:
        correlation.set_current(job.correlation_id)
        if job.exhausted:
            try:
                await self._handlers[job.kind](job)
            except Exception as exc:
                log.warning("job_give_up_failed", kind=job.kind, error=repr(exc))
            await self._finish(job, JobStatus.FAILED, "gave up: the job's workers kept dying")
            return
        renewing = asyncio.create_task(self._renew_lease(job))
        started = asyncio.get_running_loop().time()
        try:
            await self._handlers[job.kind](job)
        except asyncio.CancelledError:
            raise  # shutting down: the lease runs out and another worker takes the job
        except PermanentJobError as exc:
            await self._finish(job, JobStatus.FAILED, str(exc))
        except Exception as exc:  # any other error is retried
            log.warning("job_attempt_failed", kind=job.kind, job_id=str(job.id), error=repr(exc))
            if job.last_attempt:
                await self._finish(job, JobStatus.FAILED, f"{type(exc).__name__}: {exc}")
            else:
                await self._retry_later(job, f"{type(exc).__name__}: {exc}")
        else:
            await self._finish(job, JobStatus.SUCCEEDED, None)
        finally:
            renewing.cancel()
            JOB_DURATION.labels(job.kind).observe(asyncio.get_running_loop().time() - started)

    async def _renew_lease(self, job: Job) -> None:
        j = self._jobs
        while True:
            await asyncio.sleep(self._settings.lease_seconds / 3)
            async with self._engine.begin() as connection:
                await connection.execute(
                    update(j)
                    .where(j.c.id == job.id, j.c.worker_id == self.worker_id)
                    .values(lease_expires_at=func.now() + self._lease)
                )

    async def _finish(self, job: Job, status: JobStatus, error: str | None) -> None:
        j = self._jobs
        async with self._engine.begin() as connection:
            await connection.execute(
                update(j)
                .where(j.c.id == job.id, j.c.worker_id == self.worker_id)
                .values(
                    status=status,
                    last_error=error,
                    finished_at=datetime.now(UTC),
                    lease_expires_at=None,
                )
            )
        JOBS_FINISHED.labels(job.kind, status.value).inc()
        if status is JobStatus.FAILED:
            log.error("job_failed", kind=job.kind, job_id=str(job.id), error=error)

    async def _retry_later(self, job: Job, error: str) -> None:
        j = self._jobs
        delay = self._settings.retry.delay(job.attempts)
        async with self._engine.begin() as connection:
            await connection.execute(
                update(j)
                .where(j.c.id == job.id, j.c.worker_id == self.worker_id)
                .values(
                    status=JobStatus.QUEUED,
                    last_error=error,
                    lease_expires_at=None,
                    run_after=datetime.now(UTC) + timedelta(seconds=delay),
                )
            )
        JOBS_FINISHED.labels(job.kind, "retry").inc()
