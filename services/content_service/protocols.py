"""The contract content_service's use cases hold its storage to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from service_kit.unit_of_work import UnitOfWork
from services.content_service.domain import (
    Blob,
    Document,
    DocumentQuery,
    DocumentView,
    PurgeReport,
)


class BlobRepository(Protocol):
    async def add(self, blob: Blob, data: bytes) -> bool:
        """Store the bytes once; False when a blob with that id already existed."""
        ...

    async def describe(self, content_id: str) -> Blob | None: ...

    async def purge_unreferenced(self, older_than: datetime) -> PurgeReport:
        """Remove blobs no live document references, created before ``older_than``."""
        ...


class BlobReader(Protocol):
    """Reads blobs outside any unit of work: blobs never change, so the hot path needs none."""

    async def get(self, content_id: str) -> tuple[Blob, bytes] | None: ...

    async def describe(self, content_id: str) -> Blob | None: ...


class DocumentRepository(Protocol):
    async def add(self, document: Document) -> None:
        """Raises UnknownContent when the document names a blob that is not stored."""
        ...

    async def get(self, document_id: uuid.UUID) -> DocumentView | None: ...

    async def list(self, query: DocumentQuery) -> list[DocumentView]: ...

    async def replace(self, document: Document, expected_version: int) -> bool:
        """Compare-and-set: write ``document`` only if the row is still at ``expected_version``."""
        ...


class ProcessedRequests(Protocol):
    """The inbox: answers already given to requests that carried an Idempotency-Key."""

    async def claim(self, key: str, scope: str) -> dict[str, Any] | None:
        """None: this request goes ahead (the key is now taken). Else: the stored answer."""
        ...

    async def record(self, key: str, scope: str, answer: dict[str, Any]) -> None: ...


class ContentUnitOfWork(UnitOfWork, Protocol):
    """Repositories sharing one transaction, rolled back unless committed."""

    @property
    def blobs(self) -> BlobRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def requests(self) -> ProcessedRequests: ...
