"""The contracts file_service's use cases hold their adapters to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from contracts.content import DocumentKind
from service_kit.unit_of_work import OutboxUnitOfWork
from services.file_service.domain import FileVersion, FileView, Intake, StoredFile


class FileRepository(Protocol):
    async def add(self, file: StoredFile, version: FileVersion, staged: bytes | None) -> None: ...

    async def get(self, file_id: uuid.UUID, *, for_update: bool = False) -> FileView | None: ...

    async def get_version(
        self, file_id: uuid.UUID, version: int
    ) -> tuple[FileView, FileVersion, bytes | None] | None:
        """The file, the asked-for version and its staged bytes (None once processed)."""
        ...

    async def add_version(self, version: FileVersion, staged: bytes | None) -> None:
        """Store a new version and make it the file's current one."""
        ...

    async def finish_version(self, version: FileVersion) -> bool:
        """Record a processed version, dropping its staged bytes; False if it was not
        processing any more (another worker finished it first)."""
        ...

    async def mark_deleted(self, file_id: uuid.UUID, at: datetime) -> bool: ...

    async def list_for_batch(
        self,
        batch_id: str,
        *,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
        include_deleted: bool,
    ) -> list[FileView]: ...

    async def versions(self, file_id: uuid.UUID) -> list[FileVersion]: ...

    async def lock_intake(self, batch_id: str, *, exclusive: bool) -> datetime | None:
        """Lock the batch's intake row until the transaction ends (creating it if need be),
        shared for a change to its files, exclusive for a seal; its ``sealed_at``."""
        ...

    async def count_intake(self, batch_id: str) -> Intake:
        """The batch's files by the status of their current version, deleted ones left out."""
        ...

    async def seal_intake(self, batch_id: str, at: datetime) -> None: ...


class FileUnitOfWork(OutboxUnitOfWork, Protocol):
    """Repository, outbox and job queue in one transaction, rolled back unless committed."""

    @property
    def files(self) -> FileRepository: ...

    async def schedule(self, kind: str, payload: dict[str, Any], dedup_key: str) -> None:
        """Run this job once the transaction commits (the job queue)."""
        ...


class ContentUnavailable(Exception):
    """content_service could not take the request now; the job is tried again later."""


class ContentRefused(Exception):
    """content_service will never accept this request."""


class ContentStore(Protocol):
    """content_service, as file_service needs it. Raises ContentUnavailable (retry later)
    or ContentRefused (a request it will never accept)."""

    async def store_blob(self, data: bytes, content_type: str) -> str: ...

    async def create_document(
        self,
        *,
        kind: DocumentKind,
        batch_id: str,
        filename: str,
        metadata: dict[str, Any],
        idempotency_key: str,
        content_id: str | None = None,
        text: str | None = None,
    ) -> str:
        """Returns the stored content id the document points at."""
        ...


class BatchGate(Protocol):
    async def ensure_open(self, batch_id: str) -> None:
        """Raise Conflict when the batch no longer takes file changes, PeerUnavailable when
        that cannot be known right now."""
        ...
