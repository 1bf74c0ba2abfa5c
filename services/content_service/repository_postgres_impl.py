"""content_service storage on PostgreSQL (SQLAlchemy Core on the hot paths)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import Database, SqlAlchemyUnitOfWork
from service_kit.messaging import inbox
from service_kit.pagination import keyset_after
from services.content_service.domain import (
    Blob,
    Document,
    DocumentQuery,
    DocumentView,
    PurgeReport,
    UnknownContent,
)
from services.content_service.models_db import BlobRow, DocumentRow, processed_requests

_blobs = cast(Table, BlobRow.__table__)
_documents = cast(Table, DocumentRow.__table__)
_BLOB_META = (_blobs.c.content_id, _blobs.c.size, _blobs.c.content_type, _blobs.c.created_at)


def _blob(row: Any) -> Blob:
    return Blob(row.content_id, row.size, row.content_type, row.created_at)


def _view(row: Any) -> DocumentView:
    document = Document(
        id=row.id,
        content_id=row.content_id,
        kind=row.kind,
        batch_id=row.batch_id,
        essay_id=row.essay_id,
        filename=row.filename,
        metadata=row.metadata,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )
    return DocumentView(document, row.size, row.content_type)


def _row_values(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "content_id": document.content_id,
        "kind": document.kind,
        "batch_id": document.batch_id,
        "essay_id": document.essay_id,
        "filename": document.filename,
        "metadata": document.metadata,
        "version": document.version,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "deleted_at": document.deleted_at,
    }


class PostgresBlobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, blob: Blob, data: bytes) -> bool:
        statement = (
            insert(_blobs)
            .values(
                content_id=blob.content_id,
                size=blob.size,
                content_type=blob.content_type,
                data=data,
                created_at=blob.created_at,
            )
            .on_conflict_do_nothing(index_elements=["content_id"])
            .returning(_blobs.c.content_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def describe(self, content_id: str) -> Blob | None:
        statement = select(*_BLOB_META).where(_blobs.c.content_id == content_id)
        row = (await self._session.execute(statement)).first()
        return None if row is None else _blob(row)

    async def purge_unreferenced(self, older_than: datetime) -> PurgeReport:
        live_reference = exists().where(
            _documents.c.content_id == _blobs.c.content_id, _documents.c.deleted_at.is_(None)
        )
        # Lock the candidates first: a document being added for one of them takes a key-share
        # lock on the blob and so waits for us (or we skip the blob it holds). Then look again,
        # in a new statement that sees every reference committed before our locks.
        candidates = (
            select(_blobs.c.content_id)
            .where(_blobs.c.created_at < older_than, ~live_reference)
            .with_for_update(skip_locked=True)
        )
        locked = [row[0] for row in await self._session.execute(candidates)]
        if not locked:
            return PurgeReport([], 0, 0)
        confirmed = select(_blobs.c.content_id, _blobs.c.size).where(
            _blobs.c.content_id.in_(locked), ~live_reference
        )
        doomed = {row.content_id: row.size for row in await self._session.execute(confirmed)}
        removed_documents = await self._session.execute(
            delete(_documents).where(_documents.c.content_id.in_(list(doomed)))
        )
        await self._session.execute(delete(_blobs).where(_blobs.c.content_id.in_(list(doomed))))
        return PurgeReport(
            sorted(doomed),
            sum(doomed.values()),
            removed_documents.rowcount or 0,  # type: ignore[attr-defined]
        )


class PostgresBlobReader:
    """asyncpg-level reads with no ORM session: the GET /v1/content hot path."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, content_id: str) -> tuple[Blob, bytes] | None:
        row = await self._database.fetchrow(
            "SELECT content_type, size, created_at, data FROM blobs WHERE content_id = $1",
            content_id,
        )
        if row is None:
            return None
        return Blob(content_id, row["size"], row["content_type"], row["created_at"]), row["data"]

    async def describe(self, content_id: str) -> Blob | None:
        row = await self._database.fetchrow(
            "SELECT content_type, size, created_at FROM blobs WHERE content_id = $1", content_id
        )
        return (
            None
            if row is None
            else Blob(content_id, row["size"], row["content_type"], row["created_at"])
        )


class PostgresDocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _joined(self) -> Any:
        return select(_documents, _blobs.c.size, _blobs.c.content_type).join(
            _blobs, _blobs.c.content_id == _documents.c.content_id
        )

    async def add(self, document: Document) -> None:
        # The use case checked the blob; a purge racing us still ends here, as a clear 422.
        try:
            await self._session.execute(insert(_documents).values(**_row_values(document)))
        except IntegrityError as exc:
            raise UnknownContent(f"no content with id {document.content_id}") from exc

    async def get(self, document_id: uuid.UUID) -> DocumentView | None:
        row = (
            await self._session.execute(self._joined().where(_documents.c.id == document_id))
        ).first()
        return None if row is None else _view(row)

    async def list(self, query: DocumentQuery) -> list[DocumentView]:
        conditions = []
        if query.batch_id is not None:
            conditions.append(_documents.c.batch_id == query.batch_id)
        if query.essay_id is not None:
            conditions.append(_documents.c.essay_id == query.essay_id)
        if query.kind is not None:
            conditions.append(_documents.c.kind == query.kind)
        if not query.include_deleted:
            conditions.append(_documents.c.deleted_at.is_(None))
        conditions.extend(keyset_after(_documents.c.created_at, _documents.c.id, query.after))
        statement = (
            self._joined()
            .where(*conditions)
            .order_by(_documents.c.created_at, _documents.c.id)
            .limit(query.limit)
        )
        return [_view(row) for row in await self._session.execute(statement)]

    async def replace(self, document: Document, expected_version: int) -> bool:
        values = _row_values(document)
        del values["id"], values["created_at"]
        statement = (
            update(_documents)
            .where(_documents.c.id == document.id, _documents.c.version == expected_version)
            .values(**values)
        )
        try:
            result = await self._session.execute(statement)
        except IntegrityError as exc:
            raise UnknownContent(f"no content with id {document.content_id}") from exc
        return bool(result.rowcount)  # type: ignore[attr-defined]


class PostgresProcessedRequests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, key: str, scope: str) -> dict[str, Any] | None:
        stored = await inbox.claim(self._session, processed_requests, key, scope)
        return None if stored is None else dict(stored.body)

    async def record(self, key: str, scope: str, answer: dict[str, Any]) -> None:
        await inbox.record(self._session, processed_requests, key, scope, 201, answer)


class PostgresContentUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.blobs = PostgresBlobRepository(session)
        self.documents = PostgresDocumentRepository(session)
        self.requests = PostgresProcessedRequests(session)
