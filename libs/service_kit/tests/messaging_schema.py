"""The schema the messaging tests run on, and a process that runs a relay or workers on it.

    python -m service_kit.tests.messaging_schema relay  <database_url>
    python -m service_kit.tests.messaging_schema worker <database_url>

The tests kill -9 these processes mid-work, the crash the messaging rules are written for.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from service_kit.db import make_metadata
from service_kit.messaging.jobs import Job, JobWorkers, WorkerSettings
from service_kit.messaging.outbox import OutboxRelay, RelaySettings
from service_kit.messaging.tables import messaging_tables

metadata: MetaData = make_metadata()
tables = messaging_tables(metadata)
job_log = Table(
    "job_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(64), nullable=False),
    Column("worker_id", String(64), nullable=False),
    Column("event", String(32), nullable=False),
    Column("at", DateTime(timezone=True), server_default=text("now()")),
)


async def create_schema(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()


def slow_handler(engine: AsyncEngine, worker_id: str, seconds: float):  # type: ignore[no-untyped-def]
    """Logs 'started', sleeps, logs 'finished': the sleep is where the test kills the worker."""

    async def handle(job: Job) -> None:
        async with engine.begin() as connection:
            await connection.execute(
                job_log.insert().values(job_id=str(job.id), worker_id=worker_id, event="started")
            )
        await asyncio.sleep(seconds)
        async with engine.begin() as connection:
            await connection.execute(
                job_log.insert().values(job_id=str(job.id), worker_id=worker_id, event="finished")
            )

    return handle


async def run_forever(role: str, url: str) -> None:
    engine = create_async_engine(url)
    if role == "relay":
        relay = OutboxRelay(engine, tables.outbox, RelaySettings(poll_seconds=0.2))
        await relay.start()
    else:
        workers = JobWorkers(
            engine,
            tables.jobs,
            {},
            WorkerSettings(concurrency=1, lease_seconds=2, poll_seconds=0.2),
        )
        workers._handlers["slow"] = slow_handler(engine, workers.worker_id, 3600)
        await workers.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(run_forever(sys.argv[1], sys.argv[2]))
