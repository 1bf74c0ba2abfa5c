"""The spellcheck callback's fast path (``settle``), on PostgreSQL and in memory alike: all or
nothing, a compare-and-set on the version, never the run's last open essay."""

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest_asyncio

from service_kit.db import Database
from services.essay_lifecycle import phases, service
from services.essay_lifecycle.domain import Batch, EssayStatus, Event, Phase, apply
from services.essay_lifecycle.phases import Peers, PhaseCommand, SpellcheckResult
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)
from services.essay_lifecycle.repository_postgres_impl import PostgresEssayUnitOfWork

PEERS = Peers("http://els", "http://spell", "http://cj")


@dataclasses.dataclass
class Storage:
    uow: Callable[[], Any]
    # a change by someone else to a column the callback's transition does not touch
    set_language: Callable[[uuid.UUID, str], Awaitable[None]]


@pytest_asyncio.fixture(params=["memory", "postgres"])
async def storage(request, database_url) -> AsyncIterator[Storage]:
    if request.param == "memory":
        store = MemoryEssayStore()

        async def set_in_memory(essay_id: uuid.UUID, language: str) -> None:
            store.essays[essay_id] = dataclasses.replace(store.essays[essay_id], language=language)

        yield Storage(lambda: MemoryEssayUnitOfWork(store), set_in_memory)
        return
    database = Database(database_url, pool_size=2)
    sessions: list[Any] = []

    def make() -> PostgresEssayUnitOfWork:
        sessions.append(database.sessions())
        return PostgresEssayUnitOfWork(sessions[-1], database)

    async def set_in_postgres(essay_id: uuid.UUID, language: str) -> None:
        connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute(
                "UPDATE essays SET language = $2 WHERE id = $1", essay_id, language
            )
        finally:
            await connection.close()

    try:
        yield Storage(make, set_in_postgres)
    finally:
        for session in sessions:
            await session.close()
        await database.dispose()


async def two_essays_in_spellcheck(storage: Storage) -> list[uuid.UUID]:
    batch_id = uuid.uuid4().hex
    await service.register_batch(storage.uow(), Batch(batch_id, "en", 2, "http://bos"))
    for i in range(2):
        notice = service.FileNotice(f"f{i}", f"e{i}.txt", 1, f"{i:064d}")
        await service.receive_file(storage.uow(), batch_id, notice, None)
    run = await phases.start_phase(
        storage.uow(), PEERS, batch_id, Phase.SPELLCHECK, PhaseCommand(), None
    )
    assert run.open_essays == 2
    essays = await service.list_essays(storage.uow(), batch_id, status=None, after=None, limit=10)
    return [e.id for e in essays]


async def test_settle_is_all_or_nothing_and_leaves_the_last_essay_to_the_full_path(storage):
    first, last = await two_essays_in_spellcheck(storage)
    essay, run = await storage.uow().essay_with_run(first, Phase.SPELLCHECK, 1)
    assert essay is not None and run is not None
    assert essay.status is EssayStatus.SPELLCHECK_IN_PROGRESS
    spelling = {"word_count": 10, "error_count": 1}
    transitions = [
        apply(
            essay,
            Event.SPELLCHECK_SUCCEEDED,
            details=spelling,
            correlation_id="c-1",
            spelling=spelling,
            corrected_text_content_id="c" * 64,
        )
    ]
    await storage.set_language(first, "xx")

    assert await storage.uow().settle(essay, transitions, run) == 1
    after = await service.get_essay(storage.uow(), first)
    assert (after.status, after.version) == (EssayStatus.SPELLCHECK_SUCCEEDED, essay.version + 1)
    assert (after.spelling, after.corrected_text_content_id) == (spelling, "c" * 64)
    assert after.language == "xx"  # a column the transition did not change stays as it was
    timeline = await service.timeline(storage.uow(), first)
    assert [(e.sequence, e.event, e.correlation_id) for e in timeline[-1:]] == [
        (after.version, "spellcheck.succeeded", "c-1")
    ]

    # the same transitions again: the essay has moved on, nothing is written
    assert await storage.uow().settle(essay, transitions, run) is None
    assert len(await service.timeline(storage.uow(), first)) == len(timeline)

    # the run's last open essay: its outcome must be in the same transaction, so not here
    essay, run = await storage.uow().essay_with_run(last, Phase.SPELLCHECK, 1)
    assert essay is not None and run is not None and run.open_essays == 1
    failed = [apply(essay, Event.SPELLCHECK_FAILED, details={"reason": "x"})]
    assert await storage.uow().settle(essay, failed, run) is None
    assert (await service.get_essay(storage.uow(), last)).version == essay.version

    applied = await phases.spellcheck_result(
        storage.uow(), last, 1, SpellcheckResult(False, reason="x"), None
    )
    assert (applied.applied, applied.outcome_sent) == (True, True)
