"""Files coming in: a request's files (a zip archive's members each a file of its own) and
a new version of one file. Checks that need no parsing run at once; an accepted file's
bytes are staged with a ``process_file`` job, a refused one is recorded and essay_lifecycle
told through the outbox.

The orchestrator's gate (an HTTP call) is asked before any row is locked, never while a
lock is held: a lock waits for a slow peer otherwise, and every change to the batch with it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import InvalidInput
from services.file_service import metrics
from services.file_service.archive import ArchiveLimits, ArchivePart, chunked, unpack
from services.file_service.domain import (
    PROCESS_FILE,
    EssayLifecycleUrls,
    FileView,
    IncomingFile,
    Screened,
    StoredFile,
    UploadLimits,
    UploadRefused,
    essay_rejected_body,
    new_version,
    notification_key,
    screen,
)
from services.file_service.extraction import ExtractionLimits
from services.file_service.protocols import BatchGate, FileUnitOfWork
from services.file_service.use_cases.files import batch_of, find_file
from services.file_service.use_cases.intake import hold_intake

UPLOAD_CHUNK = 100  # files stored per transaction; an archive is read this many at a time

Upload = IncomingFile | ArchivePart


async def _record(
    uow: FileUnitOfWork, essay_lifecycle: EssayLifecycleUrls, view: FileView, staged: bytes | None
) -> None:
    """After the version row: a job for a stored file, or the rejection told to ELS now."""
    v = view.version
    key = notification_key(v.file_id, v.version)
    if staged is not None:
        await uow.schedule(PROCESS_FILE, {"file_id": str(v.file_id), "version": v.version}, key)
        metrics.UPLOADS.labels("accepted").inc()
    else:
        await uow.call_peer(
            "POST", essay_lifecycle.essays(view.file.batch_id), essay_rejected_body(view), key
        )
        metrics.UPLOADS.labels("refused_at_upload").inc()


def _screen_next(
    chunks: Iterator[list[IncomingFile | Screened]], limits: ExtractionLimits
) -> list[Screened] | None:
    """The next chunk, read and screened: run in a thread (unzipping and sniffing are CPU)."""
    chunk = next(chunks, None)
    if chunk is None:
        return None
    return [item if isinstance(item, Screened) else screen(item, limits) for item in chunk]


@dataclass(frozen=True, slots=True)
class UploadFilesCommand:
    batch_id: str
    files: Sequence[Upload]


class UploadFiles:
    """Store every file (its bytes staged for the job), a zip archive's members each as a
    file of its own; refuse the request only when no file in it can be accepted.

    Files are screened and stored ``UPLOAD_CHUNK`` at a time, one transaction a chunk, so a
    big archive never has all its members in memory. Refusals met before the first accepted
    file are held back without their bytes: if nothing in the request can be accepted they
    make the :class:`UploadRefused` answer and nothing is stored. The gate is asked once, on
    the first accepted file, with no transaction open."""

    def __init__(
        self,
        uow: FileUnitOfWork,
        gate: BatchGate,
        essay_lifecycle: EssayLifecycleUrls,
        limits: ExtractionLimits,
        archive_limits: ArchiveLimits,
        upload_limits: UploadLimits,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gate = gate
        self._essay_lifecycle = essay_lifecycle
        self._limits = limits
        self._archive_limits = archive_limits
        self._upload_limits = upload_limits

    async def execute(self, command: UploadFilesCommand) -> list[FileView]:
        if len(command.files) > self._upload_limits.max_parts:
            raise InvalidInput(f"at most {self._upload_limits.max_parts} files per request")
        if not command.files:
            raise InvalidInput("send at least one file (multipart/form-data)")
        chunks = chunked(unpack(command.files, self._archive_limits), UPLOAD_CHUNK)
        views: list[FileView] = []
        held: list[Screened] = []
        opened = False
        while (screened := await asyncio.to_thread(_screen_next, chunks, self._limits)) is not None:
            if not opened and not any(s.accepted for s in screened):
                held += [
                    dataclasses.replace(s, incoming=s.incoming.without_data()) for s in screened
                ]
                continue
            if not opened:
                await self._gate.ensure_open(command.batch_id)
                opened = True
            views += await self._store(command.batch_id, held + screened)
            held = []
        if not opened:
            for _ in held:
                metrics.UPLOADS.labels("refused").inc()
            raise UploadRefused(held)
        return views

    async def _store(self, batch_id: str, screened: list[Screened]) -> list[FileView]:
        uow = self._uow
        views = []
        async with uow:
            await hold_intake(uow, batch_id)
            for s in screened:
                stamp = self._clock.now()
                file = StoredFile(uuid.uuid4(), batch_id, 1, stamp, stamp)
                view = FileView(file, new_version(file.id, 1, s, stamp))
                staged = s.incoming.data if s.accepted else None
                await uow.files.add(file, view.version, staged)
                await _record(uow, self._essay_lifecycle, view, staged)
                views.append(view)
            await uow.commit()
        return views


@dataclass(frozen=True, slots=True)
class ReplaceFileCommand:
    file_id: uuid.UUID
    file: IncomingFile


class ReplaceFile:
    """A new version of the file: stored, then re-extracted by a job like the first. A zip
    here is one file, never unpacked."""

    def __init__(
        self,
        uow: FileUnitOfWork,
        gate: BatchGate,
        essay_lifecycle: EssayLifecycleUrls,
        limits: ExtractionLimits,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._gate = gate
        self._essay_lifecycle = essay_lifecycle
        self._limits = limits
        self._clock = clock

    async def execute(self, command: ReplaceFileCommand) -> FileView:
        uow, file_id, incoming = self._uow, command.file_id, command.file
        screened: Screened = screen(incoming, self._limits)
        if not screened.accepted:
            raise UploadRefused([screened])
        await self._gate.ensure_open(await batch_of(uow, file_id))
        async with uow:
            current = await find_file(uow, file_id, for_update=True)
            await hold_intake(uow, current.file.batch_id)
            number = current.file.current_version + 1
            version = new_version(file_id, number, screened, self._clock.now())
            await uow.files.add_version(version, incoming.data)
            view = FileView(current.file, version)
            await _record(uow, self._essay_lifecycle, view, incoming.data)
            await uow.commit()
        return view
