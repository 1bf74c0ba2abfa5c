"""Blobs: store bytes once by their sha256, read them back (the GET/HEAD fast path)."""

from __future__ import annotations

from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import NotFound
from services.content_service import metrics
from services.content_service.domain import Blob, StoredBlob, require_content_id
from services.content_service.protocols import BlobReader, ContentUnitOfWork


@dataclass(frozen=True, slots=True)
class StoreBlobCommand:
    data: bytes
    content_type: str | None  # None: application/octet-stream


class StoreBlob:
    """Store the bytes unless the same bytes are stored already (then the first type wins)."""

    def __init__(self, uow: ContentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: StoreBlobCommand) -> StoredBlob:
        blob = Blob.of(command.data, command.content_type, self._clock.now())
        async with self._uow as uow:
            created = await uow.blobs.add(blob, command.data)
            if not created:
                blob = await uow.blobs.describe(blob.content_id) or blob
            await uow.commit()
        if created:
            metrics.BYTES_STORED.inc(blob.size)
            metrics.BLOBS_STORED.inc()
        else:
            metrics.DEDUP_HITS.inc()
        return StoredBlob(blob, created)


@dataclass(frozen=True, slots=True)
class ReadBlobCommand:
    content_id: str
    with_data: bool = True  # False for HEAD: what the blob is, not its bytes


@dataclass(frozen=True, slots=True)
class ReadBlobResult:
    blob: Blob
    data: bytes | None  # None when the command did not ask for the bytes


class ReadBlob:
    """The hot path: one read through the BlobReader port, outside any unit of work.

    Blobs never change, so nothing needs a transaction; the reader holds only app-lived
    state (a raw pool), which keeps building this use case per request nearly free.
    """

    def __init__(self, reader: BlobReader) -> None:
        self._reader = reader

    async def execute(self, command: ReadBlobCommand) -> ReadBlobResult:
        content_id = require_content_id(command.content_id)
        if command.with_data:
            found = await self._reader.get(content_id)
            if found is not None:
                return ReadBlobResult(*found)
        else:
            blob = await self._reader.describe(content_id)
            if blob is not None:
                return ReadBlobResult(blob, None)
        raise NotFound(f"no content with id {content_id}")
