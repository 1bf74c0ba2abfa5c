"""content_service storage in memory: the same contract, for unit tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from service_kit.pagination import keyset_page_of
from services.content_service.domain import (
    Blob,
    Document,
    DocumentQuery,
    DocumentView,
    PurgeReport,
    UnknownContent,
)


@dataclass
class MemoryContentStore:
    """What the database would hold; shared by every unit of work of one app."""

    blobs: dict[str, tuple[Blob, bytes]] = field(default_factory=dict)
    documents: dict[uuid.UUID, Document] = field(default_factory=dict)
    answers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


class MemoryBlobRepository:
    def __init__(self, store: MemoryContentStore) -> None:
        self._store = store

    async def add(self, blob: Blob, data: bytes) -> bool:
        if blob.content_id in self._store.blobs:
            return False
        self._store.blobs[blob.content_id] = (blob, data)
        return True

    async def describe(self, content_id: str) -> Blob | None:
        found = self._store.blobs.get(content_id)
        return found[0] if found else None

    async def purge_unreferenced(self, older_than: datetime) -> PurgeReport:
        live = {d.content_id for d in self._store.documents.values() if not d.deleted}
        doomed = [
            cid
            for cid, (blob, _) in self._store.blobs.items()
            if cid not in live and blob.created_at < older_than
        ]
        freed = sum(self._store.blobs[cid][0].size for cid in doomed)
        gone = [d.id for d in self._store.documents.values() if d.content_id in doomed]
        for cid in doomed:
            del self._store.blobs[cid]
        for document_id in gone:
            del self._store.documents[document_id]
        return PurgeReport(sorted(doomed), freed, len(gone))


class MemoryBlobReader:
    def __init__(self, store: MemoryContentStore) -> None:
        self._store = store

    async def get(self, content_id: str) -> tuple[Blob, bytes] | None:
        return self._store.blobs.get(content_id)

    async def describe(self, content_id: str) -> Blob | None:
        found = self._store.blobs.get(content_id)
        return found[0] if found else None


class MemoryDocumentRepository:
    def __init__(self, store: MemoryContentStore) -> None:
        self._store = store

    def _view(self, document: Document) -> DocumentView:
        blob = self._store.blobs[document.content_id][0]
        return DocumentView(document, blob.size, blob.content_type)

    async def add(self, document: Document) -> None:
        if document.content_id not in self._store.blobs:
            raise UnknownContent(f"no content with id {document.content_id}")
        self._store.documents[document.id] = document

    async def get(self, document_id: uuid.UUID) -> DocumentView | None:
        document = self._store.documents.get(document_id)
        return None if document is None else self._view(document)

    async def list(self, query: DocumentQuery) -> list[DocumentView]:
        def wanted(d: Document) -> bool:
            return (
                (query.batch_id is None or d.batch_id == query.batch_id)
                and (query.essay_id is None or d.essay_id == query.essay_id)
                and (query.kind is None or d.kind == query.kind)
                and (query.include_deleted or not d.deleted)
            )

        chosen = keyset_page_of(
            (d for d in self._store.documents.values() if wanted(d)),
            lambda d: (d.created_at, d.id),
            query.after,
            query.limit,
        )
        return [self._view(d) for d in chosen]

    async def replace(self, document: Document, expected_version: int) -> bool:
        current = self._store.documents.get(document.id)
        if current is None or current.version != expected_version:
            return False
        if document.content_id not in self._store.blobs:
            raise UnknownContent(f"no content with id {document.content_id}")
        self._store.documents[document.id] = document
        return True


class MemoryProcessedRequests:
    def __init__(self, store: MemoryContentStore) -> None:
        self._store = store

    async def claim(self, key: str, scope: str) -> dict[str, Any] | None:
        return self._store.answers.get((key, scope))

    async def record(self, key: str, scope: str, answer: dict[str, Any]) -> None:
        self._store.answers[(key, scope)] = answer


class MemoryContentUnitOfWork:
    """Rolls back unless committed, by restoring the snapshot taken on entry."""

    def __init__(self, store: MemoryContentStore) -> None:
        self._store = store
        self.blobs = MemoryBlobRepository(store)
        self.documents = MemoryDocumentRepository(store)
        self.requests = MemoryProcessedRequests(store)
        self._snapshot: tuple[Any, Any, Any] | None = None
        self.committed = False

    async def __aenter__(self) -> Self:
        self._snapshot = (
            dict(self._store.blobs),
            dict(self._store.documents),
            dict(self._store.answers),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self._snapshot = (
            dict(self._store.blobs),
            dict(self._store.documents),
            dict(self._store.answers),
        )
        self.committed = True

    async def rollback(self) -> None:
        if self._snapshot is not None:
            blobs, documents, answers = self._snapshot
            self._store.blobs, self._store.documents = dict(blobs), dict(documents)
            self._store.answers = dict(answers)
