"""No I/O under a row lock: upload, replace and delete ask the orchestrator's gate (an HTTP
call) with no transaction open and no row locked, and take their locks only after it."""

from __future__ import annotations

import io
import zipfile

import pytest

from service_kit.clock import SystemClock
from service_kit.errors import Conflict
from services.file_service.archive import ArchiveLimits, ArchivePart
from services.file_service.domain import EssayLifecycleUrls, FileView, IncomingFile, UploadLimits
from services.file_service.extraction import ExtractionLimits
from services.file_service.repository_memory_impl import MemoryFileStore
from services.file_service.tests.fakes import LockWatchingGate, WatchedUnitOfWork
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
ESSAY = "\n\n".join(sf.ESSAY_PARAGRAPHS).encode()
UNLOCKED = (False, [])  # no transaction open, no lock held


@pytest.fixture
def uow() -> WatchedUnitOfWork:
    return WatchedUnitOfWork(MemoryFileStore())


@pytest.fixture
def gate(uow: WatchedUnitOfWork) -> LockWatchingGate:
    return LockWatchingGate(uow)


def uploader(uow: WatchedUnitOfWork, gate: LockWatchingGate) -> UploadFiles:
    return UploadFiles(uow, gate, ESSAY_LIFECYCLE, LIMITS, ArchiveLimits(), UploadLimits(), CLOCK)


async def stored_file(uow: WatchedUnitOfWork, gate: LockWatchingGate) -> FileView:
    (view,) = await uploader(uow, gate).execute(
        UploadFilesCommand("b1", [IncomingFile("essay.txt", ESSAY)])
    )
    gate.seen.clear()
    return view


async def test_the_watch_sees_a_lock_held_inside_a_transaction(uow, gate):
    """The fakes themselves: a gate asked under a lock is seen as such."""
    async with uow:
        await uow.files.lock_intake("b1", exclusive=False)
        await gate.ensure_open("b1")
    await gate.ensure_open("b1")
    assert gate.seen == [(True, ["intake b1"]), UNLOCKED]


async def test_an_upload_asks_the_gate_before_locking_the_intake(uow, gate):
    await uploader(uow, gate).execute(
        UploadFilesCommand("b1", [IncomingFile("a.txt", ESSAY), IncomingFile("b.txt", ESSAY)])
    )
    assert gate.seen == [UNLOCKED]


async def test_an_archive_over_several_chunks_asks_the_gate_once_unlocked(uow, gate):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(250):
            zf.writestr(f"e{i}.txt", ESSAY)
    buffer.seek(0)
    views = await uploader(uow, gate).execute(
        UploadFilesCommand("b1", [ArchivePart("class.zip", buffer)])
    )
    assert len(views) == 250
    assert gate.seen == [UNLOCKED]


async def test_a_replacement_asks_the_gate_before_locking_the_file(uow, gate):
    view = await stored_file(uow, gate)
    replacing = ReplaceFile(uow, gate, ESSAY_LIFECYCLE, LIMITS, CLOCK)
    replaced = await replacing.execute(
        ReplaceFileCommand(view.file.id, IncomingFile("v2.txt", ESSAY))
    )
    assert replaced.version.version == 2
    assert gate.seen == [UNLOCKED]


async def test_a_deletion_asks_the_gate_before_locking_the_file(uow, gate):
    view = await stored_file(uow, gate)
    await DeleteFile(uow, gate, ESSAY_LIFECYCLE, CLOCK).execute(DeleteFileCommand(view.file.id))
    assert uow.store.files[view.file.id].deleted_at is not None
    assert gate.seen == [UNLOCKED]


async def test_a_gate_refusal_leaves_no_transaction_open(uow, gate):
    view = await stored_file(uow, gate)
    gate.error = Conflict("pipeline started")
    with pytest.raises(Conflict):
        await DeleteFile(uow, gate, ESSAY_LIFECYCLE, CLOCK).execute(DeleteFileCommand(view.file.id))
    assert gate.seen == [UNLOCKED]
    assert not uow.open and uow.store.files[view.file.id].deleted_at is None
