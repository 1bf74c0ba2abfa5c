"""content_service use cases: parse nothing, know no HTTP, commit explicitly."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from service_kit.errors import Conflict, NotFound, PreconditionFailed
from services.content_service import metrics
from services.content_service.domain import (
    Blob,
    Document,
    DocumentChanges,
    DocumentKind,
    DocumentQuery,
    DocumentView,
    PurgeReport,
    StoredBlob,
    UnknownContent,
    now,
    require_content_id,
)
from services.content_service.protocols import BlobReader, ContentUnitOfWork


async def store_blob(uow: ContentUnitOfWork, data: bytes, content_type: str | None) -> StoredBlob:
    blob = Blob.of(data, content_type)
    async with uow:
        created = await uow.blobs.add(blob, data)
        if not created:
            blob = await uow.blobs.describe(blob.content_id) or blob
        await uow.commit()
    if created:
        metrics.BYTES_STORED.inc(blob.size)
        metrics.BLOBS_STORED.inc()
    else:
        metrics.DEDUP_HITS.inc()
    return StoredBlob(blob, created)


async def fetch_blob(reader: BlobReader, content_id: str) -> tuple[Blob, bytes]:
    require_content_id(content_id)
    found = await reader.get(content_id)
    if found is None:
        raise NotFound(f"no content with id {content_id}")
    return found


async def describe_blob(reader: BlobReader, content_id: str) -> Blob:
    require_content_id(content_id)
    blob = await reader.describe(content_id)
    if blob is None:
        raise NotFound(f"no content with id {content_id}")
    return blob


async def create_document(
    uow: ContentUnitOfWork,
    *,
    kind: DocumentKind,
    content_id: str | None = None,
    text: str | None = None,
    batch_id: str | None = None,
    essay_id: str | None = None,
    filename: str | None = None,
    metadata: dict[str, object] | None = None,
    idempotency_key: str | None = None,
) -> DocumentView:
    """A document over an existing blob, or over inline text stored as a blob first.

    With an idempotency key, a repeat returns the document the first request made.
    """
    async with uow:
        if idempotency_key is not None:
            answer = await uow.requests.claim(idempotency_key, "create_document")
            if answer is not None:
                view = await uow.documents.get(uuid.UUID(answer["document_id"]))
                if view is None:
                    raise NotFound("the document this key created is gone")
                return view
        if text is not None:
            data = text.encode("utf-8")
            blob = Blob.of(data, "text/plain; charset=utf-8")
            if await uow.blobs.add(blob, data):
                metrics.BYTES_STORED.inc(blob.size)
                metrics.BLOBS_STORED.inc()
            content_id = blob.content_id
        assert content_id is not None  # the API requires exactly one of content_id and text
        document = Document.new(
            content_id,
            kind,
            batch_id=batch_id,
            essay_id=essay_id,
            filename=filename,
            metadata=metadata,
        )
        if await uow.blobs.describe(document.content_id) is None:
            raise UnknownContent(f"no content with id {document.content_id}")
        await uow.documents.add(document)
        if idempotency_key is not None:
            answer = {"document_id": str(document.id)}
            await uow.requests.record(idempotency_key, "create_document", answer)
        view = await uow.documents.get(document.id)
        await uow.commit()
    metrics.DOCUMENTS_CREATED.labels(kind.value).inc()
    assert view is not None
    return view


async def get_document(uow: ContentUnitOfWork, document_id: uuid.UUID) -> DocumentView:
    async with uow:
        view = await uow.documents.get(document_id)
    if view is None or view.document.deleted:
        raise NotFound(f"no document with id {document_id}")
    return view


async def list_documents(uow: ContentUnitOfWork, query: DocumentQuery) -> list[DocumentView]:
    async with uow:
        return await uow.documents.list(query)


async def update_document(
    uow: ContentUnitOfWork, document_id: uuid.UUID, expected_version: int, changes: DocumentChanges
) -> DocumentView:
    async with uow:
        current = await uow.documents.get(document_id)
        if current is None or current.document.deleted:
            raise NotFound(f"no document with id {document_id}")
        if current.document.version != expected_version:
            raise PreconditionFailed(
                f"the document is at version {current.document.version}, not {expected_version}",
                current_version=current.document.version,
            )
        updated = changes.apply(current.document)
        if "content_id" in changes.values and await uow.blobs.describe(updated.content_id) is None:
            raise UnknownContent(f"no content with id {updated.content_id}")
        if not await uow.documents.replace(updated, expected_version):
            raise PreconditionFailed(
                "the document changed while this request was being made; fetch it again"
            )
        view = await uow.documents.get(document_id)
        await uow.commit()
    assert view is not None
    return view


async def delete_document(
    uow: ContentUnitOfWork, document_id: uuid.UUID, expected_version: int | None = None
) -> None:
    """Soft delete: later reads answer 404, lists skip it unless asked."""
    async with uow:
        current = await uow.documents.get(document_id)
        if current is None or current.document.deleted:
            raise NotFound(f"no document with id {document_id}")
        version = current.document.version
        if expected_version is not None and expected_version != version:
            raise PreconditionFailed(
                f"the document is at version {version}, not {expected_version}"
            )
        stamp = now()
        deleted = replace(current.document, deleted_at=stamp, updated_at=stamp, version=version + 1)
        if not await uow.documents.replace(deleted, version):
            raise Conflict("the document changed while it was being deleted; try again")
        await uow.commit()


async def purge(uow: ContentUnitOfWork, grace: timedelta) -> PurgeReport:
    async with uow:
        report = await uow.blobs.purge_unreferenced(now() - grace)
        await uow.commit()
    return report
