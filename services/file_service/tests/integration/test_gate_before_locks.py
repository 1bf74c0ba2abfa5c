"""No I/O under a row lock, on PostgreSQL: when upload, replace and delete ask the
orchestrator's gate, their session has no transaction open, and another connection can
lock every row of the batch (its files, its intake row) without waiting."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.clock import SystemClock
from service_kit.db import Database
from services.file_service.archive import ArchiveLimits
from services.file_service.domain import EssayLifecycleUrls, FileView, IncomingFile, UploadLimits
from services.file_service.extraction import ExtractionLimits
from services.file_service.repository_postgres_impl import PostgresFileUnitOfWork
from services.file_service.tests.integration.helpers import fetch, new_batch
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import (
    DeleteFile,
    DeleteFileCommand,
    ReplaceFile,
    ReplaceFileCommand,
    UploadFiles,
    UploadFilesCommand,
)

ESSAY_LIFECYCLE = EssayLifecycleUrls("http://els")
CLOCK = SystemClock()
LIMITS = ExtractionLimits()
ESSAY = sf.SWEDISH_TEXT.encode()
FREE = (False, False)  # (transaction open on the use case's session, a batch row locked)


class ProbingGate:
    """An open gate that, each time it is asked, looks for a transaction on the use case's
    session and tries to lock the batch's rows from a connection of its own, NOWAIT."""

    def __init__(self, database_url: str, session: AsyncSession) -> None:
        self._url = database_url
        self._session = session
        self.seen: list[tuple[bool, bool]] = []

    async def ensure_open(self, batch_id: str) -> None:
        try:
            for table in ("batch_intake", "files"):
                await fetch(
                    self._url,
                    f"SELECT 1 FROM {table} WHERE batch_id = $1 FOR UPDATE NOWAIT",
                    batch_id,
                )
            locked = False
        except asyncpg.LockNotAvailableError:
            locked = True
        self.seen.append((self._session.in_transaction(), locked))


@pytest_asyncio.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@contextlib.asynccontextmanager
async def work(
    database: Database, database_url: str
) -> AsyncIterator[tuple[PostgresFileUnitOfWork, ProbingGate]]:
    async with database.sessions() as session:
        yield PostgresFileUnitOfWork(session), ProbingGate(database_url, session)


async def upload(database: Database, database_url: str, batch: str) -> tuple[FileView, list]:
    async with work(database, database_url) as (uow, gate):
        uploading = UploadFiles(
            uow, gate, ESSAY_LIFECYCLE, LIMITS, ArchiveLimits(), UploadLimits(), CLOCK
        )
        (view,) = await uploading.execute(
            UploadFilesCommand(batch, [IncomingFile("essay.txt", ESSAY)])
        )
    return view, gate.seen


async def test_the_probe_sees_a_held_intake_row(database, database_url):
    batch = new_batch()
    await upload(database, database_url, batch)
    async with work(database, database_url) as (uow, gate), uow:
        await uow.files.lock_intake(batch, exclusive=False)
        await gate.ensure_open(batch)
    assert gate.seen == [(True, True)]


async def test_uploads_ask_the_gate_with_nothing_held(database, database_url):
    batch = new_batch()
    _, first = await upload(database, database_url, batch)
    _, second = await upload(database, database_url, batch)  # the intake row exists now
    assert first == second == [FREE]


async def test_a_replacement_asks_the_gate_with_nothing_held(database, database_url):
    batch = new_batch()
    view, _ = await upload(database, database_url, batch)
    async with work(database, database_url) as (uow, gate):
        replacing = ReplaceFile(uow, gate, ESSAY_LIFECYCLE, LIMITS, CLOCK)
        replaced = await replacing.execute(
            ReplaceFileCommand(view.file.id, IncomingFile("v2.txt", ESSAY))
        )
    assert replaced.version.version == 2
    assert gate.seen == [FREE]


async def test_a_deletion_asks_the_gate_with_nothing_held(database, database_url):
    batch = new_batch()
    view, _ = await upload(database, database_url, batch)
    async with work(database, database_url) as (uow, gate):
        await DeleteFile(uow, gate, ESSAY_LIFECYCLE, CLOCK).execute(DeleteFileCommand(view.file.id))
    assert gate.seen == [FREE]
    (row,) = await fetch(database_url, "SELECT deleted_at FROM files WHERE id = $1", view.file.id)
    assert row["deleted_at"] is not None
