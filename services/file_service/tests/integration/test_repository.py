"""The use cases and the process_file job against the PostgreSQL unit of work (no HTTP)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from service_kit.clock import SystemClock
from service_kit.errors import Conflict
from services.file_service.archive import ArchiveLimits
from services.file_service.domain import (
    EssayLifecycleUrls,
    FileStatus,
    FileView,
    IncomingFile,
    UploadLimits,
)
from services.file_service.extraction import ExtractionLimits
from services.file_service.repository_postgres_impl import PostgresFileUnitOfWork
from services.file_service.tests.fakes import FakeContentStore, FakeGate, OpenGate
from services.file_service.tests.integration.helpers import fetch, new_batch
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import (
    DeleteFile,
    DeleteFileCommand,
    ProcessFile,
    ProcessFileCommand,
    ReplaceFile,
    ReplaceFileCommand,
    UploadFiles,
    UploadFilesCommand,
)

ESSAY_LIFECYCLE = EssayLifecycleUrls("http://els")
CLOCK = SystemClock()
LIMITS = ExtractionLimits()
ESSAY = sf.SWEDISH_TEXT.encode()


@pytest_asyncio.fixture(scope="module")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@contextlib.asynccontextmanager
async def uow(engine: AsyncEngine) -> AsyncIterator[PostgresFileUnitOfWork]:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield PostgresFileUnitOfWork(session)


async def upload(engine: AsyncEngine, batch: str, data: bytes = ESSAY) -> FileView:
    async with uow(engine) as work:
        uploading = UploadFiles(
            work, OpenGate(), ESSAY_LIFECYCLE, LIMITS, ArchiveLimits(), UploadLimits(), CLOCK
        )
        (view,) = await uploading.execute(
            UploadFilesCommand(batch, [IncomingFile("essay.txt", data)])
        )
    return view


async def process(engine: AsyncEngine, content: FakeContentStore, view: FileView) -> None:
    async with uow(engine) as work:
        processing = ProcessFile(work, content, ESSAY_LIFECYCLE, LIMITS, CLOCK)
        await processing.execute(ProcessFileCommand(view.file.id, 1))


async def version_row(database_url: str, file_id: uuid.UUID):
    (row,) = await fetch(
        database_url,
        "SELECT status::text AS status, error_code, staged_bytes, text_content_id "
        "FROM file_versions WHERE file_id = $1",
        file_id,
    )
    return row


async def outbox_keys(database_url: str, file_id: uuid.UUID) -> list[str]:
    rows = await fetch(
        database_url,
        "SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE $1 ORDER BY id",
        f"file:{file_id}:%",
    )
    return [r["idempotency_key"] for r in rows]


async def test_upload_stages_the_bytes_and_queues_one_job(engine, database_url):
    view = await upload(engine, new_batch())
    row = await version_row(database_url, view.file.id)
    assert (row["status"], bytes(row["staged_bytes"])) == ("processing", ESSAY)
    jobs = await fetch(
        database_url,
        "SELECT kind, payload::text AS payload FROM jobs WHERE dedup_key = $1",
        f"file:{view.file.id}:v1",
    )
    assert [j["kind"] for j in jobs] == ["process_file"]
    assert str(view.file.id) in jobs[0]["payload"]


async def test_processing_twice_finishes_once(engine, database_url):
    view = await upload(engine, new_batch())
    content = FakeContentStore()
    await process(engine, content, view)
    await process(engine, content, view)
    row = await version_row(database_url, view.file.id)
    assert row["status"] == "ready"
    assert row["staged_bytes"] is None
    assert row["text_content_id"] in content.blobs
    assert await outbox_keys(database_url, view.file.id) == [f"file:{view.file.id}:v1"]
    assert len(content.documents) == 2
    assert len(content.requests) == 3  # blob, raw_file, extracted_text: once each


async def test_a_refused_replacement_is_rolled_back(engine, database_url):
    view = await upload(engine, new_batch())
    gate = FakeGate()
    gate.error = Conflict("pipeline started")
    with pytest.raises(Conflict):
        async with uow(engine) as work:
            replacing = ReplaceFile(work, gate, ESSAY_LIFECYCLE, LIMITS, CLOCK)
            await replacing.execute(ReplaceFileCommand(view.file.id, IncomingFile("v2.txt", ESSAY)))
    versions = await fetch(
        database_url, "SELECT version FROM file_versions WHERE file_id = $1", view.file.id
    )
    assert [v["version"] for v in versions] == [1]
    jobs = await fetch(
        database_url, "SELECT 1 FROM jobs WHERE dedup_key = $1", f"file:{view.file.id}:v2"
    )
    assert jobs == []


async def test_a_file_deleted_while_it_is_processed_is_not_reported_ready(engine, database_url):
    view = await upload(engine, new_batch())
    content = FakeContentStore()

    async def delete_meanwhile() -> None:  # the user's DELETE, in a transaction of its own
        async with uow(engine) as work:
            deleting = DeleteFile(work, OpenGate(), ESSAY_LIFECYCLE, CLOCK)
            await deleting.execute(DeleteFileCommand(view.file.id))

    content.before["extracted_text"] = delete_meanwhile
    await process(engine, content, view)

    keys = await outbox_keys(database_url, view.file.id)
    assert f"file:{view.file.id}:deleted" in keys
    assert f"file:{view.file.id}:v1" not in keys, "a withdrawn file was reported ready"
    row = await version_row(database_url, view.file.id)
    assert row["status"] != FileStatus.PROCESSING.value
    assert row["staged_bytes"] is None
