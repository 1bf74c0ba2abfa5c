"""content_service HTTP API: parse the request, call one use case, map its result."""

from __future__ import annotations

import uuid

from dishka.integrations.base import FromDishka
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.errors import InvalidInput
from service_kit.messaging import inbox
from service_kit.openapi import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    Raw,
    answers,
    model_content,
)
from services.content_service.domain import DocumentView
from services.content_service.schemas import (
    BlobOut,
    DocumentIn,
    DocumentListQuery,
    DocumentOut,
    DocumentPage,
    DocumentPatch,
    document_out,
)
from services.content_service.use_cases import (
    CreateDocument,
    CreateDocumentCommand,
    DeleteDocument,
    DeleteDocumentCommand,
    GetDocument,
    GetDocumentCommand,
    ListDocuments,
    ListDocumentsCommand,
    ReadBlob,
    ReadBlobCommand,
    StoreBlob,
    StoreBlobCommand,
    UpdateDocument,
    UpdateDocumentCommand,
)

blueprint = Blueprint("content", __name__)
MAX_CONTENT_TYPE = 255  # the column's width
FOREVER = "public, max-age=31536000, immutable"  # a blob's id is its hash: it never changes


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
    return document_out(view), status, {"ETag": f'"{view.document.version}"'}


BLOB_OUT = model_content(BlobOut)
ETAG = {"ETag": "the blob's id (its sha256), quoted"}


@blueprint.post("/v1/content")
@answers(
    400,
    422,
    body=Raw(("*/*",), 25 * 1024 * 1024, "The bytes to store; Content-Type is kept with them."),
    success={
        200: {"description": "these bytes were stored already", "content": BLOB_OUT},
        201: {"description": "stored", "content": BLOB_OUT},
    },
    response_headers={200: ETAG, 201: ETAG},
    links={
        "ReadContent": {
            "operationId": "get_download_content",
            "parameters": {"content_id": "$response.body#/content_id"},
        }
    },
    link_status=201,
)
@inject
async def upload_content(store: FromDishka[StoreBlob]) -> Response:
    content_type = request.content_type
    if content_type and len(content_type) > MAX_CONTENT_TYPE:
        raise InvalidInput(f"Content-Type is limited to {MAX_CONTENT_TYPE} characters")
    data = await request.get_data(cache=False, as_text=False)
    assert isinstance(data, bytes)
    stored = await store.execute(StoreBlobCommand(data, content_type))
    blob = stored.blob
    # a ready-made JSON body: a dict would cost quart-schema a TypeAdapter per response
    return Response(
        BlobOut.model_validate(blob, from_attributes=True).model_dump_json(),
        status=201 if stored.created else 200,
        content_type="application/json",
        headers={"ETag": f'"{blob.content_id}"'},
    )


@blueprint.route("/v1/content/<content_id>", methods=["GET", "HEAD"])
@answers(
    400,
    headers=(IF_NONE_MATCH,),
    success={
        200: {
            "description": "the bytes, with the Content-Type they were stored with",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        304: {"description": "the client's copy (If-None-Match) is current"},
    },
    response_headers={200: {**ETAG, "Cache-Control": "immutable: an id never changes"}},
)
@inject
async def download_content(content_id: str, read: FromDishka[ReadBlob]) -> Response:
    # the hot path: a raw Response, no schema validation, no serialising
    head = request.method == "HEAD"
    found = await read.execute(ReadBlobCommand(content_id, with_data=not head))
    etag = f'"{content_id}"'
    if head:
        response = Response(b"", content_type=found.blob.content_type)
        response.content_length = found.blob.size
    else:
        if _etag_matches(request.headers.get("If-None-Match"), etag):
            return Response(b"", status=304, headers={"ETag": etag})
        response = Response(found.data, content_type=found.blob.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = FOREVER
    return response


@blueprint.post("/v1/documents")
@answers(
    400,
    404,
    422,
    headers=(IDEMPOTENCY_KEY,),
    links={
        "GetDocument": {
            "operationId": "get_get_document",
            "parameters": {"document_id": "$response.body#/id"},
        },
        "PatchDocument": {
            "operationId": "patch_patch_document",
            "parameters": {
                "document_id": "$response.body#/id",
                "If-Match": "$response.body#/version",
            },
        },
        "DeleteDocument": {
            "operationId": "delete_delete_document",
            "parameters": {
                "document_id": "$response.body#/id",
                "If-Match": "$response.body#/version",
            },
        },
    },
    response_headers={201: {"ETag": "the document's version, quoted"}},
)
@validate_request(DocumentIn)
@validate_response(DocumentOut, 201)
@inject
async def create_document(
    data: DocumentIn, create: FromDishka[CreateDocument]
) -> tuple[DocumentOut, int, dict[str, str]]:
    command = CreateDocumentCommand(
        **data.model_dump(),
        idempotency_key=_optional_key(request.headers.get(inbox.IDEMPOTENCY_HEADER)),
    )
    return _document_response(await create.execute(command), 201)


@blueprint.get("/v1/documents/<uuid:document_id>")
@validate_response(DocumentOut)
@inject
async def get_document(
    document_id: uuid.UUID, get: FromDishka[GetDocument]
) -> tuple[DocumentOut, int, dict[str, str]]:
    return _document_response(await get.execute(GetDocumentCommand(document_id)))


@blueprint.get("/v1/documents")
@validate_querystring(DocumentListQuery)
@validate_response(DocumentPage)
@inject
async def list_documents(
    query_args: DocumentListQuery, list_: FromDishka[ListDocuments]
) -> DocumentPage:
    found = await list_.execute(ListDocumentsCommand(**query_args.model_dump()))
    return DocumentPage(items=[document_out(v) for v in found.items], next_cursor=found.next_cursor)


@blueprint.patch("/v1/documents/<uuid:document_id>")
@answers(
    409,
    412,
    422,
    428,
    headers=(IF_MATCH,),
    success={
        200: {
            "description": "changed",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DocumentOut"}}
            },
        }
    },
    response_headers={200: {"ETag": "the document's new version, quoted"}},
)
@validate_request(DocumentPatch)
@inject
async def patch_document(
    document_id: uuid.UUID, data: DocumentPatch, update: FromDishka[UpdateDocument]
) -> tuple[DocumentOut, int, dict[str, str]]:
    version = _version_from(request.headers.get("If-Match"))
    view = await update.execute(UpdateDocumentCommand(document_id, version, data.sent()))
    return _document_response(view)


@blueprint.delete("/v1/documents/<uuid:document_id>")
@answers(409, 412, 422, 428, headers=(IF_MATCH,), success={204: {"description": "deleted"}})
@inject
async def delete_document(document_id: uuid.UUID, delete: FromDishka[DeleteDocument]) -> Response:
    version = _version_from(request.headers.get("If-Match"))
    await delete.execute(DeleteDocumentCommand(document_id, version))
    return Response(b"", status=204)
