"""The contract of the callback's fast path (``EssaySettler``) and of counting essays out of
a run (``PhaseRunRepository.close``), one set of tests run on PostgreSQL and in memory alike:
all or nothing, a compare-and-set on the version, and ``PhaseRun.counted_out`` /
``settles_alone``: never the run's last open essay, nothing once the run has reported."""

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest_asyncio

from service_kit.db import Database
from services.essay_lifecycle.domain import (
    EssayStatus,
    Event,
    Phase,
    PhaseRun,
    PhaseRunStatus,
    apply,
    reports,
)
from services.essay_lifecycle.protocols import EssaySettler
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssaySettler,
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)
from services.essay_lifecycle.repository_postgres_impl import (
    PostgresEssaySettler,
    PostgresEssayUnitOfWork,
)
from services.essay_lifecycle.tests.use_cases import Els

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclasses.dataclass
class Storage:
    els: Els
    settler: EssaySettler
    # a change by someone else to a column the callback's transition does not touch
    set_language: Callable[[uuid.UUID, str], Awaitable[None]]


@pytest_asyncio.fixture(params=["memory", "postgres"])
async def storage(request, database_url) -> AsyncIterator[Storage]:
    if request.param == "memory":
        store = MemoryEssayStore()

        async def set_in_memory(essay_id: uuid.UUID, language: str) -> None:
            store.essays[essay_id] = dataclasses.replace(store.essays[essay_id], language=language)

        settler = MemoryEssaySettler(store)
        yield Storage(Els(lambda: MemoryEssayUnitOfWork(store), settler), settler, set_in_memory)
        return
    database = Database(database_url, pool_size=2)
    sessions: list[Any] = []

    def make() -> PostgresEssayUnitOfWork:
        sessions.append(database.sessions())
        return PostgresEssayUnitOfWork(sessions[-1])

    async def set_in_postgres(essay_id: uuid.UUID, language: str) -> None:
        connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute(
                "UPDATE essays SET language = $2 WHERE id = $1", essay_id, language
            )
        finally:
            await connection.close()

    settler = PostgresEssaySettler(database)
    try:
        yield Storage(Els(make, settler), settler, set_in_postgres)
    finally:
        for session in sessions:
            await session.close()
        await database.dispose()


async def essays_in_spellcheck(storage: Storage, count: int = 2) -> list[uuid.UUID]:
    batch_id = uuid.uuid4().hex
    await storage.els.register(batch_id, "en", count)
    for i in range(count):
        await storage.els.notice(batch_id, f"f{i}", f"e{i}.txt", 1, f"{i:064d}")
    run = await storage.els.start(batch_id, Phase.SPELLCHECK)
    assert run.open_essays == count
    return [e.id for e in await storage.els.essays(batch_id, limit=10)]


async def test_settle_is_all_or_nothing_and_leaves_the_last_essay_to_the_full_path(storage):
    first, last = await essays_in_spellcheck(storage)
    essay, run = await storage.settler.essay_with_run(first, Phase.SPELLCHECK, 1)
    assert essay is not None and run is not None
    assert essay.status is EssayStatus.SPELLCHECK_IN_PROGRESS
    assert run.settles_alone()
    spelling = {"word_count": 10, "error_count": 1}
    transitions = [
        apply(
            essay,
            Event.SPELLCHECK_SUCCEEDED,
            at=NOW,
            details=spelling,
            correlation_id="c-1",
            spelling=spelling,
            corrected_text_content_id="c" * 64,
        )
    ]
    await storage.set_language(first, "xx")

    assert await storage.settler.settle(essay, transitions, run) == run.counted_out(1) == 1
    after = await storage.els.essay(first)
    assert (after.status, after.version) == (EssayStatus.SPELLCHECK_SUCCEEDED, essay.version + 1)
    assert (after.spelling, after.corrected_text_content_id) == (spelling, "c" * 64)
    assert after.language == "xx"  # a column the transition did not change stays as it was
    timeline = await storage.els.timeline(first)
    assert [(e.sequence, e.event, e.correlation_id) for e in timeline[-1:]] == [
        (after.version, "spellcheck.succeeded", "c-1")
    ]

    # the same transitions again: the essay has moved on, nothing is written
    assert await storage.settler.settle(essay, transitions, run) is None
    assert len(await storage.els.timeline(first)) == len(timeline)

    # the run's last open essay: its outcome must be in the same transaction, so not here
    essay, run = await storage.settler.essay_with_run(last, Phase.SPELLCHECK, 1)
    assert essay is not None and run is not None and run.open_essays == 1
    assert not run.settles_alone() and reports(run.counted_out(1))
    failed = [apply(essay, Event.SPELLCHECK_FAILED, at=NOW, details={"reason": "x"})]
    assert await storage.settler.settle(essay, failed, run) is None
    assert (await storage.els.essay(last)).version == essay.version

    applied = await storage.els.spellchecked(last, 1, False, reason="x")
    assert (applied.applied, applied.outcome_sent) == (True, True)


async def test_settle_writes_nothing_once_the_run_has_reported(storage):
    first, _ = await essays_in_spellcheck(storage)
    essay, run = await storage.settler.essay_with_run(first, Phase.SPELLCHECK, 1)
    assert essay is not None and run is not None
    async with storage.els.uow() as uow:
        assert await uow.runs.mark_reported(run, NOW)
        await uow.commit()
    reported = dataclasses.replace(run, status=PhaseRunStatus.REPORTED)
    assert reported.counted_out(1) is None and not reported.settles_alone()

    # run as read before it reported: the stored run decides, not the caller's copy
    done = [apply(essay, Event.SPELLCHECK_SUCCEEDED, at=NOW, spelling={})]
    assert await storage.settler.settle(essay, done, run) is None
    assert (await storage.els.essay(first)).version == essay.version
    _, stored = await storage.settler.essay_with_run(first, Phase.SPELLCHECK, 1)
    assert stored is not None and stored.status is PhaseRunStatus.REPORTED
    assert stored.reported_at == NOW
    assert stored.open_essays == run.open_essays


async def test_essay_with_run_knows_unknown_essays_and_missing_attempts(storage):
    first, _ = await essays_in_spellcheck(storage)
    assert await storage.settler.essay_with_run(uuid.uuid4(), Phase.SPELLCHECK, 1) == (None, None)
    essay, run = await storage.settler.essay_with_run(first, Phase.SPELLCHECK, 2)
    assert essay is not None and essay.id == first and run is None
    essay, run = await storage.settler.essay_with_run(first, Phase.CJ_ASSESSMENT, 1)
    assert essay is not None and run is None


async def test_closing_counts_out_to_zero_once_and_not_after_the_run_reported(storage):
    first, _, _ = await essays_in_spellcheck(storage, 3)
    _, run = await storage.settler.essay_with_run(first, Phase.SPELLCHECK, 1)
    assert isinstance(run, PhaseRun)

    async def close(essays: int) -> int | None:
        async with storage.els.uow() as uow:
            remaining = await uow.runs.close(run, essays)
            await uow.commit()
        return remaining

    assert await close(1) == run.counted_out(1) == 2
    assert await close(2) == 0 and reports(0)
    async with storage.els.uow() as uow:
        assert await uow.runs.mark_reported(run, NOW)
        assert not await uow.runs.mark_reported(run, NOW)  # one caller moves it, once
        await uow.commit()
    assert await close(1) is None
