"""Documents: create (idempotently), read, list, change and soft-delete what a blob is."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from service_kit.clock import Clock
from service_kit.errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired
from service_kit.pagination import clamp_limit, page, position_after
from services.content_service import metrics
from services.content_service.domain import (
    Blob,
    Document,
    DocumentChanges,
    DocumentKind,
    DocumentQuery,
    DocumentView,
    UnknownContent,
)
from services.content_service.protocols import ContentUnitOfWork

IDEMPOTENCY_SCOPE = "create_document"
INLINE_TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class CreateDocumentCommand:
    kind: DocumentKind
    content_id: str | None = None  # exactly one of content_id and text (the schema checks)
    text: str | None = None
    batch_id: str | None = None
    essay_id: str | None = None
    filename: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


class CreateDocument:
    """A document over an existing blob, or over inline text stored as a blob first.

    With an idempotency key, a repeat returns the document the first request made, as it is now.
    """

    def __init__(self, uow: ContentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: CreateDocumentCommand) -> DocumentView:
        key = command.idempotency_key
        async with self._uow as uow:
            if key is not None:
                answer = await uow.requests.claim(key, IDEMPOTENCY_SCOPE)
                if answer is not None:
                    earlier = await uow.documents.get(uuid.UUID(answer["document_id"]))
                    if earlier is None:
                        raise NotFound("the document this key created is gone")
                    return earlier
            stamp = self._clock.now()  # after the claim, which may have waited for a duplicate
            content_id = command.content_id
            if command.text is not None:
                data = command.text.encode("utf-8")
                blob = Blob.of(data, INLINE_TEXT_TYPE, stamp)
                if await uow.blobs.add(blob, data):
                    metrics.BYTES_STORED.inc(blob.size)
                    metrics.BLOBS_STORED.inc()
                content_id = blob.content_id
            if content_id is None:
                raise ValueError("a document needs content_id or text")  # the schema refuses it
            document = Document.new(
                content_id,
                command.kind,
                at=stamp,
                batch_id=command.batch_id,
                essay_id=command.essay_id,
                filename=command.filename,
                metadata=dict(command.metadata),
            )
            if await uow.blobs.describe(document.content_id) is None:
                raise UnknownContent(f"no content with id {document.content_id}")
            await uow.documents.add(document)
            if key is not None:
                await uow.requests.record(key, IDEMPOTENCY_SCOPE, {"document_id": str(document.id)})
            view = await uow.documents.get(document.id)
            await uow.commit()
        metrics.DOCUMENTS_CREATED.labels(command.kind.value).inc()
        assert view is not None  # just written in this transaction
        return view


async def _live_document(uow: ContentUnitOfWork, document_id: uuid.UUID) -> DocumentView:
    """The document, unless there is none or it is soft-deleted: then it is not found."""
    view = await uow.documents.get(document_id)
    if view is None or view.document.deleted:
        raise NotFound(f"no document with id {document_id}")
    return view


@dataclass(frozen=True, slots=True)
class GetDocumentCommand:
    document_id: uuid.UUID


class GetDocument:
    def __init__(self, uow: ContentUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetDocumentCommand) -> DocumentView:
        async with self._uow as uow:
            return await _live_document(uow, command.document_id)


@dataclass(frozen=True, slots=True)
class ListDocumentsCommand:
    batch_id: str | None = None
    essay_id: str | None = None
    kind: DocumentKind | None = None
    include_deleted: bool = False
    limit: int | None = None  # 1 to 500; None: 50
    cursor: str | None = None  # a next_cursor an earlier page gave


@dataclass(frozen=True, slots=True)
class ListDocumentsResult:
    items: list[DocumentView]
    next_cursor: str | None  # None: this is the last page


class ListDocuments:
    """One keyset page of documents in creation order (then id), filters combined with AND."""

    def __init__(self, uow: ContentUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListDocumentsCommand) -> ListDocumentsResult:
        limit = clamp_limit(command.limit)
        query = DocumentQuery(
            batch_id=command.batch_id,
            essay_id=command.essay_id,
            kind=command.kind,
            include_deleted=command.include_deleted,
            after=position_after(command.cursor),
            limit=limit + 1,  # one more than shown tells whether there is a next page
        )
        async with self._uow as uow:
            views = await uow.documents.list(query)
        shown, cursor = page(views, limit, lambda v: (v.document.created_at, v.document.id))
        return ListDocumentsResult(shown, cursor)


@dataclass(frozen=True, slots=True)
class UpdateDocumentCommand:
    document_id: uuid.UUID
    expected_version: int | None  # from If-Match; None: the client sent none
    values: Mapping[str, Any]  # only the fields the client sent, null included


class UpdateDocument:
    """Compare-and-set on the version: of racing writers with one version exactly one wins."""

    def __init__(self, uow: ContentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: UpdateDocumentCommand) -> DocumentView:
        expected = command.expected_version
        if expected is None:
            raise PreconditionRequired("send If-Match with the version you last read")
        changes = DocumentChanges(dict(command.values))
        async with self._uow as uow:
            current = await _live_document(uow, command.document_id)
            if current.document.version != expected:
                raise PreconditionFailed(
                    f"the document is at version {current.document.version}, not {expected}",
                    current_version=current.document.version,
                )
            updated = changes.apply(current.document, self._clock.now())
            if (
                "content_id" in changes.values
                and await uow.blobs.describe(updated.content_id) is None
            ):
                raise UnknownContent(f"no content with id {updated.content_id}")
            if not await uow.documents.replace(updated, expected):
                raise PreconditionFailed(
                    "the document changed while this request was being made; fetch it again"
                )
            view = await uow.documents.get(command.document_id)
            await uow.commit()
        assert view is not None  # just written in this transaction
        return view


@dataclass(frozen=True, slots=True)
class DeleteDocumentCommand:
    document_id: uuid.UUID
    expected_version: int | None = None  # from If-Match, which is optional here


class DeleteDocument:
    """Soft delete: later reads answer 404, lists skip it unless asked; the blob stays."""

    def __init__(self, uow: ContentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: DeleteDocumentCommand) -> None:
        async with self._uow as uow:
            current = await _live_document(uow, command.document_id)
            version = current.document.version
            expected = command.expected_version
            if expected is not None and expected != version:
                raise PreconditionFailed(f"the document is at version {version}, not {expected}")
            deleted = current.document.soft_deleted(self._clock.now())
            if not await uow.documents.replace(deleted, version):
                raise Conflict("the document changed while it was being deleted; try again")
            await uow.commit()
