"""Durable jobs on real PostgreSQL: leases, reclaim after a worker dies, retries, failures."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from service_kit.checkout import pythonpath_for
from service_kit.messaging.jobs import (
    Job,
    JobWorkers,
    PermanentJobError,
    WorkerSettings,
    enqueue_job,
)
from service_kit.messaging.tables import JobStatus
from service_kit.tests.messaging_schema import create_schema, job_log, slow_handler, tables

ROOT = Path(__file__).resolve().parents[3]
FAST = WorkerSettings(concurrency=2, lease_seconds=2, poll_seconds=0.1, retry_base_seconds=0.05)


@pytest.fixture
async def database(make_database):
    url = await make_database("jobs")
    await create_schema(url)
    engine = create_async_engine(url)
    yield url, engine
    await engine.dispose()


async def add_job(engine, kind: str, payload: dict | None = None, **kwargs):
    async with async_sessionmaker(engine)() as session:
        job_id = await enqueue_job(session, tables.jobs, kind, payload or {}, **kwargs)
        await session.commit()
    return job_id


async def job_row(engine, job_id):
    async with engine.connect() as connection:
        return (
            await connection.execute(select(tables.jobs).where(tables.jobs.c.id == job_id))
        ).one()


async def wait_for_status(engine, job_id, status: JobStatus, timeout: float = 20) -> None:
    async def poll() -> None:
        while (await job_row(engine, job_id)).status != status:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


async def test_dedup_key_makes_one_job(database):
    _, engine = database
    first = await add_job(engine, "x", dedup_key="essay-1")
    second = await add_job(engine, "x", dedup_key="essay-1")
    assert first is not None and second is None


async def test_jobs_run_once_and_succeed(database):
    _, engine = database
    seen: list[int] = []

    async def handle(job: Job) -> None:
        seen.append(job.payload["n"])

    ids = [await add_job(engine, "count", {"n": n}) for n in range(10)]
    workers = JobWorkers(engine, tables.jobs, {"count": handle}, FAST)
    await workers.start()
    try:
        for job_id in ids:
            await wait_for_status(engine, job_id, JobStatus.SUCCEEDED)
    finally:
        await workers.stop()
    assert sorted(seen) == list(range(10))


async def test_permanent_errors_fail_at_once_and_others_retry_until_the_limit(database):
    _, engine = database
    calls: dict[str, int] = {"bad": 0, "flaky": 0}

    async def bad(job: Job) -> None:
        calls["bad"] += 1
        raise PermanentJobError("the file is not a document")

    async def flaky(job: Job) -> None:
        calls["flaky"] += 1
        raise ConnectionError("peer down")

    bad_id = await add_job(engine, "bad")
    flaky_id = await add_job(engine, "flaky", max_attempts=3)
    workers = JobWorkers(engine, tables.jobs, {"bad": bad, "flaky": flaky}, FAST)
    await workers.start()
    try:
        await wait_for_status(engine, bad_id, JobStatus.FAILED)
        await wait_for_status(engine, flaky_id, JobStatus.FAILED)
    finally:
        await workers.stop()
    assert calls == {"bad": 1, "flaky": 3}
    assert (await job_row(engine, bad_id)).last_error == "the file is not a document"
    flaky_row = await job_row(engine, flaky_id)
    assert flaky_row.attempts == 3
    assert "peer down" in flaky_row.last_error


async def test_a_job_whose_worker_is_killed_is_finished_by_another(database):
    url, engine = database
    job_id = await add_job(engine, "slow")
    env = {**os.environ, **pythonpath_for(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "service_kit.tests.messaging_schema", "worker", url], env=env
    )
    try:

        async def started() -> None:
            while True:
                async with engine.connect() as connection:
                    if (await connection.execute(select(job_log.c.id))).first():
                        return
                await asyncio.sleep(0.05)

        await asyncio.wait_for(started(), 20)
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait)
    finally:
        process.kill()
    assert (await job_row(engine, job_id)).status == JobStatus.RUNNING  # orphaned, lease ticking

    survivor = JobWorkers(engine, tables.jobs, {}, FAST)
    survivor._handlers["slow"] = slow_handler(engine, survivor.worker_id, 0)
    await survivor.start()
    try:
        await wait_for_status(engine, job_id, JobStatus.SUCCEEDED)
    finally:
        await survivor.stop()
    row = await job_row(engine, job_id)
    assert row.attempts == 2
    assert row.worker_id == survivor.worker_id
    async with engine.connect() as connection:
        log = (await connection.execute(select(job_log.c.worker_id, job_log.c.event))).all()
    finished = [entry for entry in log if entry.event == "finished"]
    assert [entry.worker_id for entry in finished] == [survivor.worker_id]


async def test_a_job_whose_workers_keep_dying_gets_one_last_call_and_fails(database):
    _, engine = database
    job_id = await add_job(engine, "fragile", max_attempts=2)
    async with engine.begin() as connection:  # two workers took it and died
        await connection.execute(
            tables.jobs.update()
            .where(tables.jobs.c.id == job_id)
            .values(status=JobStatus.RUNNING, attempts=2, lease_expires_at=func.now())
        )
    seen: list[tuple[int, bool]] = []

    async def fragile(job: Job) -> None:
        seen.append((job.attempts, job.exhausted))

    workers = JobWorkers(engine, tables.jobs, {"fragile": fragile}, FAST)
    await workers.start()
    try:
        await wait_for_status(engine, job_id, JobStatus.FAILED)
    finally:
        await workers.stop()
    assert seen == [(3, True)]
    assert "kept dying" in (await job_row(engine, job_id)).last_error
