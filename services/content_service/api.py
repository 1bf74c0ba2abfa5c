"""content_service HTTP API: parse, call a use case, shape the answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from dishka.integrations.base import FromDishka
from pydantic import BaseModel, ConfigDict, Field, model_validator
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.errors import InvalidInput, PreconditionRequired
from service_kit.fields import SafeJson, SafeText
from service_kit.messaging import inbox
from service_kit.pagination import clamp_limit, page, position_after
from services.content_service import service
from services.content_service.domain import (
    DocumentChanges,
    DocumentKind,
    DocumentQuery,
    DocumentView,
)
from services.content_service.protocols import BlobReader, ContentUnitOfWork

blueprint = Blueprint("content", __name__)
MAX_CONTENT_TYPE = 255  # the column's width


class BlobOut(BaseModel):
    content_id: str
    size: int
    content_type: str


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    content_id: SafeText | None = None
    text: SafeText | None = None
    batch_id: SafeText | None = Field(default=None, max_length=64)
    essay_id: SafeText | None = Field(default=None, max_length=64)
    filename: SafeText | None = Field(default=None, max_length=512)
    metadata: SafeJson = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_source(self) -> DocumentIn:
        if (self.content_id is None) == (self.text is None):
            raise ValueError("give exactly one of content_id and text")
        return self


class DocumentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind | None = None
    content_id: SafeText | None = None
    batch_id: SafeText | None = Field(default=None, max_length=64)
    essay_id: SafeText | None = Field(default=None, max_length=64)
    filename: SafeText | None = Field(default=None, max_length=512)
    metadata: SafeJson | None = None


class DocumentOut(BaseModel):
    id: uuid.UUID
    content_id: str
    sha256: str
    kind: DocumentKind
    batch_id: str | None
    essay_id: str | None
    filename: str | None
    metadata: dict[str, Any]
    version: int
    size: int
    content_type: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, view: DocumentView) -> DocumentOut:
        d = view.document
        return cls(
            id=d.id,
            content_id=d.content_id,
            sha256=d.content_id,
            kind=d.kind,
            batch_id=d.batch_id,
            essay_id=d.essay_id,
            filename=d.filename,
            metadata=d.metadata,
            version=d.version,
            size=view.size,
            content_type=view.content_type,
            created_at=d.created_at,
            updated_at=d.updated_at,
            deleted_at=d.deleted_at,
        )


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


class DocumentListQuery(BaseModel):
    batch_id: str | None = None
    essay_id: str | None = None
    kind: DocumentKind | None = None
    include_deleted: bool = False
    limit: int = 50
    cursor: str | None = None


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def _version_from(header: str | None) -> int | None:
    if header is None:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput('If-Match must carry the document\'s version, e.g. "3"')
    return int(value)


def _optional_key(value: str | None) -> str | None:
    return None if value is None else inbox.require_key(value)


def _document_response(
    view: DocumentView, status: int = 200
) -> tuple[DocumentOut, int, dict[str, str]]:
    return DocumentOut.of(view), status, {"ETag": f'"{view.document.version}"'}


@blueprint.post("/v1/content")
@inject
async def upload_content(uow: FromDishka[ContentUnitOfWork]) -> Response:
    content_type = request.content_type
    if content_type and len(content_type) > MAX_CONTENT_TYPE:
        raise InvalidInput(f"Content-Type is limited to {MAX_CONTENT_TYPE} characters")
    data = await request.get_data(cache=False, as_text=False)
    assert isinstance(data, bytes)
    stored = await service.store_blob(uow, data, content_type)
    blob = stored.blob
    body = BlobOut(content_id=blob.content_id, size=blob.size, content_type=blob.content_type)
    # a ready-made JSON body: a dict would cost quart-schema a TypeAdapter per response
    return Response(
        body.model_dump_json(),
        status=201 if stored.created else 200,
        content_type="application/json",
        headers={"ETag": f'"{blob.content_id}"'},
    )


@blueprint.route("/v1/content/<content_id>", methods=["GET", "HEAD"])
@inject
async def download_content(content_id: str, reader: FromDishka[BlobReader]) -> Response:
    etag = f'"{content_id}"'
    if request.method == "HEAD":
        blob = await service.describe_blob(reader, content_id)
        response = Response(b"", content_type=blob.content_type)
        response.content_length = blob.size
    else:
        blob, data = await service.fetch_blob(reader, content_id)
        if _etag_matches(request.headers.get("If-None-Match"), etag):
            return Response(b"", status=304, headers={"ETag": etag})
        response = Response(data, content_type=blob.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@blueprint.post("/v1/documents")
@validate_request(DocumentIn)
@validate_response(DocumentOut, 201)
@inject
async def create_document(
    data: DocumentIn, uow: FromDishka[ContentUnitOfWork]
) -> tuple[DocumentOut, int, dict[str, str]]:
    view = await service.create_document(
        uow,
        kind=data.kind,
        content_id=data.content_id,
        text=data.text,
        batch_id=data.batch_id,
        essay_id=data.essay_id,
        filename=data.filename,
        metadata=data.metadata,
        idempotency_key=_optional_key(request.headers.get(inbox.IDEMPOTENCY_HEADER)),
    )
    return _document_response(view, 201)


@blueprint.get("/v1/documents/<uuid:document_id>")
@validate_response(DocumentOut)
@inject
async def get_document(
    document_id: uuid.UUID, uow: FromDishka[ContentUnitOfWork]
) -> tuple[DocumentOut, int, dict[str, str]]:
    return _document_response(await service.get_document(uow, document_id))


@blueprint.get("/v1/documents")
@validate_querystring(DocumentListQuery)
@validate_response(DocumentPage)
@inject
async def list_documents(
    query_args: DocumentListQuery, uow: FromDishka[ContentUnitOfWork]
) -> DocumentPage:
    limit = clamp_limit(query_args.limit)
    query = DocumentQuery(
        batch_id=query_args.batch_id,
        essay_id=query_args.essay_id,
        kind=query_args.kind,
        include_deleted=query_args.include_deleted,
        after=position_after(query_args.cursor),
        limit=limit + 1,
    )
    views = await service.list_documents(uow, query)
    shown, cursor = page(views, limit, lambda v: (v.document.created_at, v.document.id))
    return DocumentPage(items=[DocumentOut.of(v) for v in shown], next_cursor=cursor)


@blueprint.patch("/v1/documents/<uuid:document_id>")
@validate_request(DocumentPatch)
@inject
async def patch_document(
    document_id: uuid.UUID, data: DocumentPatch, uow: FromDishka[ContentUnitOfWork]
) -> tuple[DocumentOut, int, dict[str, str]]:
    version = _version_from(request.headers.get("If-Match"))
    if version is None:
        raise PreconditionRequired("send If-Match with the version you last read")
    changes = DocumentChanges({name: getattr(data, name) for name in data.model_fields_set})
    return _document_response(await service.update_document(uow, document_id, version, changes))


@blueprint.delete("/v1/documents/<uuid:document_id>")
@inject
async def delete_document(document_id: uuid.UUID, uow: FromDishka[ContentUnitOfWork]) -> Response:
    version = _version_from(request.headers.get("If-Match"))
    await service.delete_document(uow, document_id, version)
    return Response(b"", status=204)
