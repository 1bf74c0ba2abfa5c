"""file_service use cases for the API: upload, replace, delete, read. No HTTP, no SQL."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from service_kit.errors import InvalidInput, NotFound
from services.file_service import metrics
from services.file_service.archive import ArchiveLimits, ArchivePart, chunked, unpack
from services.file_service.domain import (
    PROCESS_FILE,
    FileVersion,
    FileView,
    IncomingFile,
    Intake,
    Screened,
    StoredFile,
    UploadRefused,
    essay_rejected_body,
    intake_closed,
    new_version,
    notification_key,
    now,
    screen,
)
from services.file_service.extraction import ExtractionLimits
from services.file_service.protocols import BatchGate, FileUnitOfWork


@dataclass(frozen=True)
class Peers:
    essay_lifecycle_url: str

    def essays_url(self, batch_id: str) -> str:
        return f"{self.essay_lifecycle_url}/internal/v1/batches/{batch_id}/essays"

    def withdrawn_url(self, batch_id: str, file_id: uuid.UUID) -> str:
        return f"{self.essay_lifecycle_url}/internal/v1/batches/{batch_id}/files/{file_id}"


async def _record(uow: FileUnitOfWork, peers: Peers, view: FileView, staged: bytes | None) -> None:
    """After the version row: a job for a stored file, or the rejection told to ELS now."""
    v = view.version
    key = notification_key(v.file_id, v.version)
    if staged is not None:
        await uow.schedule(PROCESS_FILE, {"file_id": str(v.file_id), "version": v.version}, key)
        metrics.UPLOADS.labels("accepted").inc()
    else:
        await uow.call_peer(
            "POST", peers.essays_url(view.file.batch_id), essay_rejected_body(view), key
        )
        metrics.UPLOADS.labels("refused_at_upload").inc()


async def _hold_intake(uow: FileUnitOfWork, batch_id: str) -> None:
    """Every change to a batch's files holds its intake row shared until it commits: a seal
    waits for it, and a change that comes after a seal is refused."""
    if await uow.files.lock_intake(batch_id, exclusive=False) is not None:
        raise intake_closed(batch_id)


async def seal_batch(uow: FileUnitOfWork, batch_id: str) -> Intake:
    """The orchestrator's start: count the batch's files under the exclusive intake lock and,
    when every one has its final outcome (and one at least is an essay), close the batch to
    any further upload, replacement or deletion. Repeating it changes nothing."""
    async with uow:
        await uow.files.lock_intake(batch_id, exclusive=True)
        intake = await uow.files.count_intake(batch_id)
        if intake.sealed_at is None and intake.sealable:
            stamp = now()
            await uow.files.seal_intake(batch_id, stamp)
            intake = dataclasses.replace(intake, sealed_at=stamp)
        await uow.commit()
    return intake


UPLOAD_CHUNK = 100  # files stored per transaction; an archive is read this many at a time

Upload = IncomingFile | ArchivePart


def _screen_next(
    chunks: Iterator[list[IncomingFile | Screened]], limits: ExtractionLimits
) -> list[Screened] | None:
    """The next chunk, read and screened: run in a thread (unzipping and sniffing are CPU)."""
    chunk = next(chunks, None)
    if chunk is None:
        return None
    return [item if isinstance(item, Screened) else screen(item, limits) for item in chunk]


async def _store(
    uow: FileUnitOfWork, peers: Peers, batch_id: str, screened: list[Screened]
) -> list[FileView]:
    views = []
    async with uow:
        await _hold_intake(uow, batch_id)
        for s in screened:
            stamp = now()
            file = StoredFile(uuid.uuid4(), batch_id, 1, stamp, stamp)
            view = FileView(file, new_version(file.id, 1, s))
            staged = s.incoming.data if s.accepted else None
            await uow.files.add(file, view.version, staged)
            await _record(uow, peers, view, staged)
            views.append(view)
        await uow.commit()
    return views


async def upload_files(
    uow: FileUnitOfWork,
    gate: BatchGate,
    peers: Peers,
    limits: ExtractionLimits,
    batch_id: str,
    incoming: Sequence[Upload],
    archive_limits: ArchiveLimits | None = None,
) -> list[FileView]:
    """Store every file (its bytes staged for the job), a zip archive's members each as a
    file of its own; refuse the request only when no file in it can be accepted.

    Files are screened and stored ``UPLOAD_CHUNK`` at a time, one transaction a chunk, so a
    big archive never has all its members in memory. Refusals met before the first accepted
    file are held back without their bytes: if nothing in the request can be accepted they
    make the :class:`UploadRefused` answer and nothing is stored."""
    if not incoming:
        raise InvalidInput("send at least one file (multipart/form-data)")
    archive_limits = archive_limits or ArchiveLimits(max_member_bytes=limits.max_file_bytes)
    chunks = chunked(unpack(incoming, archive_limits), UPLOAD_CHUNK)
    views: list[FileView] = []
    held: list[Screened] = []
    opened = False
    while (screened := await asyncio.to_thread(_screen_next, chunks, limits)) is not None:
        if not opened and not any(s.accepted for s in screened):
            held += [dataclasses.replace(s, incoming=s.incoming.without_data()) for s in screened]
            continue
        if not opened:
            await gate.ensure_open(batch_id)
            opened = True
        views += await _store(uow, peers, batch_id, held + screened)
        held = []
    if not opened:
        for _ in held:
            metrics.UPLOADS.labels("refused").inc()
        raise UploadRefused(held)
    return views


async def replace_file(
    uow: FileUnitOfWork,
    gate: BatchGate,
    peers: Peers,
    limits: ExtractionLimits,
    file_id: uuid.UUID,
    incoming: IncomingFile,
) -> FileView:
    """A new version of the file: stored, then re-extracted by a job like the first."""
    screened: Screened = screen(incoming, limits)
    if not screened.accepted:
        raise UploadRefused([screened])
    async with uow:
        current = await uow.files.get(file_id, for_update=True)
        if current is None or current.file.deleted_at is not None:
            raise NotFound(f"no file with id {file_id}")
        await gate.ensure_open(current.file.batch_id)
        await _hold_intake(uow, current.file.batch_id)
        version = new_version(file_id, current.file.current_version + 1, screened)
        await uow.files.add_version(version, incoming.data)
        view = FileView(current.file, version)
        await _record(uow, peers, view, incoming.data)
        await uow.commit()
    return view


async def delete_file(
    uow: FileUnitOfWork, gate: BatchGate, peers: Peers, file_id: uuid.UUID
) -> None:
    """Soft delete; essay_lifecycle is told the file is withdrawn."""
    async with uow:
        current = await uow.files.get(file_id, for_update=True)
        if current is None or current.file.deleted_at is not None:
            raise NotFound(f"no file with id {file_id}")
        await gate.ensure_open(current.file.batch_id)
        await _hold_intake(uow, current.file.batch_id)
        await uow.files.mark_deleted(file_id, now())
        await uow.call_peer(
            "DELETE",
            peers.withdrawn_url(current.file.batch_id, file_id),
            None,
            f"file:{file_id}:deleted",
        )
        await uow.commit()


async def get_file(uow: FileUnitOfWork, file_id: uuid.UUID) -> FileView:
    async with uow:
        view = await uow.files.get(file_id)
    if view is None or view.file.deleted_at is not None:
        raise NotFound(f"no file with id {file_id}")
    return view


async def list_files(
    uow: FileUnitOfWork,
    batch_id: str,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    include_deleted: bool = False,
) -> list[FileView]:
    async with uow:
        return await uow.files.list_for_batch(
            batch_id, after=after, limit=limit, include_deleted=include_deleted
        )


async def file_versions(uow: FileUnitOfWork, file_id: uuid.UUID) -> list[FileVersion]:
    async with uow:
        view = await uow.files.get(file_id)
        if view is None or view.file.deleted_at is not None:
            raise NotFound(f"no file with id {file_id}")
        return await uow.files.versions(file_id)
