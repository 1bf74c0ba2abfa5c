"""The seal on real PostgreSQL: an upload in flight when the orchestrator starts the batch is
either counted by the seal or refused after it, never slipped in between."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest

from service_kit.clock import SystemClock
from service_kit.db import Database
from service_kit.errors import Conflict
from services.file_service.archive import ArchiveLimits
from services.file_service.domain import (
    EssayLifecycleUrls,
    FileStatus,
    FileView,
    IncomingFile,
    Intake,
    StoredFile,
    UploadLimits,
    new_version,
)
from services.file_service.domain import screen as screen_file
from services.file_service.extraction import ExtractionLimits
from services.file_service.repository_postgres_impl import PostgresFileUnitOfWork
from services.file_service.tests.fakes import FakeGate
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import (
    ListBatchFiles,
    ListBatchFilesCommand,
    SealBatchIntake,
    SealBatchIntakeCommand,
    UploadFiles,
    UploadFilesCommand,
)

ESSAY_LIFECYCLE = EssayLifecycleUrls("http://els")
CLOCK = SystemClock()
LIMITS = ExtractionLimits()
ESSAY = "\n\n".join(sf.ESSAY_PARAGRAPHS).encode()


async def upload(database: Database, batch: str, name: str) -> list[FileView]:
    async with database.sessions() as session:
        uploading = UploadFiles(
            PostgresFileUnitOfWork(session),
            FakeGate(),
            ESSAY_LIFECYCLE,
            LIMITS,
            ArchiveLimits(),
            UploadLimits(),
            CLOCK,
        )
        return await uploading.execute(UploadFilesCommand(batch, [IncomingFile(name, ESSAY)]))


async def seal_batch(database: Database, batch: str) -> Intake:
    async with database.sessions() as session:
        sealing = SealBatchIntake(PostgresFileUnitOfWork(session), CLOCK)
        return await sealing.execute(SealBatchIntakeCommand(batch))


async def test_a_seal_waits_for_the_upload_in_flight_and_counts_it(database_url):
    database = Database(database_url)
    batch = uuid.uuid4().hex
    locked, release = asyncio.Event(), asyncio.Event()

    async def slow_upload() -> None:
        async with database.sessions() as session:
            work = PostgresFileUnitOfWork(session)
            async with work:
                assert await work.files.lock_intake(batch, exclusive=False) is None
                locked.set()
                await release.wait()
                stamp = CLOCK.now()
                file = StoredFile(uuid.uuid4(), batch, 1, stamp, stamp)
                screened = screen_file(IncomingFile("late.txt", ESSAY), LIMITS)
                await work.files.add(file, new_version(file.id, 1, screened, stamp), ESSAY)
                await work.commit()

    async def seal() -> Intake:
        return await seal_batch(database, batch)

    try:
        upload = asyncio.create_task(slow_upload())
        await locked.wait()
        sealing = asyncio.create_task(seal())
        await asyncio.sleep(0.3)
        assert not sealing.done()  # blocked on the upload's shared lock
        release.set()
        await upload
        intake = await sealing
        assert (intake.processing, intake.files, intake.sealed_at) == (1, 1, None)
    finally:
        await database.dispose()


async def test_an_upload_after_the_seal_is_refused_and_stores_nothing(database_url):
    database = Database(database_url)
    batch = uuid.uuid4().hex
    try:
        (view,) = await upload(database, batch, "a.txt")
        async with database.sessions() as session:
            work = PostgresFileUnitOfWork(session)
            async with work:
                done = dataclasses.replace(view.version, status=FileStatus.READY)
                assert await work.files.finish_version(done)
                await work.commit()
        intake = await seal_batch(database, batch)
        assert (intake.ready, intake.files) == (1, 1) and intake.sealed_at is not None
        with pytest.raises(Conflict):
            await upload(database, batch, "b.txt")
        async with database.sessions() as session:
            listing = ListBatchFiles(PostgresFileUnitOfWork(session))
            files = await listing.execute(ListBatchFilesCommand(batch))
        assert [f.version.filename for f in files.items] == ["a.txt"]
    finally:
        await database.dispose()
