"""Hand-written stand-ins for file_service's outside world (no mocking library)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from contracts.content import DocumentKind, DocumentOut
from contracts.files import BatchGateOut
from services.file_service.domain import FileView
from services.file_service.repository_memory_impl import (
    MemoryFileRepository,
    MemoryFileStore,
    MemoryFileUnitOfWork,
)


def content_answer(content_id: str) -> dict[str, Any]:
    """What content_service answers to ``POST /v1/documents`` (a ``DocumentOut``); it is a
    valid ``BlobOut`` too (``POST /v1/content``), so one fake server can answer both."""
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    return DocumentOut(
        id=uuid.uuid4(),
        content_id=content_id,
        sha256=content_id,
        kind=DocumentKind.EXTRACTED_TEXT,
        batch_id="b",
        essay_id=None,
        filename="essay.txt",
        metadata={},
        version=1,
        size=12,
        content_type="text/plain; charset=utf-8",
        created_at=stamp,
        updated_at=stamp,
        deleted_at=None,
    ).model_dump(mode="json")


def gate_answer(pipeline_started: bool, batch_id: str = "b") -> dict[str, Any]:
    """What batch_orchestrator answers to ``GET /internal/v1/batches/{id}``."""
    status = "running" if pipeline_started else "created"
    return BatchGateOut(
        batch_id=batch_id, status=status, pipeline_started=pipeline_started
    ).model_dump(mode="json")


class FakeContentStore:
    """content_service as the ContentStore protocol sees it: blobs by sha256, documents by
    Idempotency-Key (a repeated key returns the first document's content id)."""

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[bytes, str]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str | None]] = []  # (operation, idempotency key)
        self.failures: dict[str, Exception] = {}  # operation -> raised once, then forgotten
        self.before: dict[str, Callable[[], Awaitable[None]]] = {}  # operation -> run first, once

    async def _maybe_fail(self, operation: str) -> None:
        hook = self.before.pop(operation, None)
        if hook is not None:
            await hook()
        error = self.failures.pop(operation, None)
        if error is not None:
            raise error

    def _put(self, data: bytes, content_type: str) -> str:
        content_id = hashlib.sha256(data).hexdigest()
        self.blobs.setdefault(content_id, (data, content_type))
        return content_id

    async def store_blob(self, data: bytes, content_type: str) -> str:
        self.requests.append(("store_blob", None))
        await self._maybe_fail("store_blob")
        return self._put(data, content_type)

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
        self.requests.append((kind, idempotency_key))
        await self._maybe_fail(kind)
        assert (content_id is None) != (text is None)
        if idempotency_key in self.documents:
            return str(self.documents[idempotency_key]["content_id"])
        if text is not None:
            content_id = self._put(text.encode(), "text/plain; charset=utf-8")
        assert content_id in self.blobs, "a document over a blob content_service never got"
        self.documents[idempotency_key] = {
            "kind": kind,
            "batch_id": batch_id,
            "filename": filename,
            "metadata": metadata,
            "content_id": content_id,
        }
        return str(content_id)


class OpenGate:
    """A batch gate that always lets files in."""

    async def ensure_open(self, batch_id: str) -> None:
        return None


class FakeGate:
    """The orchestrator's batch gate: open unless told to raise."""

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.asked: list[str] = []

    async def ensure_open(self, batch_id: str) -> None:
        self.asked.append(batch_id)
        if self.error is not None:
            raise self.error


class WatchedUnitOfWork(MemoryFileUnitOfWork):
    """The in-memory unit of work, knowing whether a transaction is open and which row locks
    it holds (the file row FOR UPDATE, the batch's intake row): what PostgreSQL would hold."""

    def __init__(self, store: MemoryFileStore) -> None:
        super().__init__(store)
        self.open = False
        self.locks: list[str] = []
        self.files = _WatchedRepository(store, self)

    async def __aenter__(self) -> Self:
        self.open = True
        return await super().__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc, tb)
        finally:
            self.open = False
            self.locks.clear()

    async def commit(self) -> None:
        await super().commit()
        self.locks.clear()  # a commit ends the transaction and its locks


class _WatchedRepository(MemoryFileRepository):
    def __init__(self, store: MemoryFileStore, uow: WatchedUnitOfWork) -> None:
        super().__init__(store)
        self._uow = uow

    async def get(self, file_id: uuid.UUID, *, for_update: bool = False) -> FileView | None:
        if for_update:
            self._uow.locks.append(f"file {file_id}")
        return await super().get(file_id, for_update=for_update)

    async def lock_intake(self, batch_id: str, *, exclusive: bool) -> Any:
        self._uow.locks.append(f"intake {batch_id}")
        return await super().lock_intake(batch_id, exclusive=exclusive)


class LockWatchingGate(FakeGate):
    """A batch gate that notes, each time it is asked, whether the unit of work had a
    transaction open and which locks it held: a slow orchestrator must never hold a row."""

    def __init__(self, uow: WatchedUnitOfWork) -> None:
        super().__init__()
        self._uow = uow
        self.seen: list[tuple[bool, list[str]]] = []  # (transaction open, locks held) per ask

    async def ensure_open(self, batch_id: str) -> None:
        self.seen.append((self._uow.open, list(self._uow.locks)))
        await super().ensure_open(batch_id)
