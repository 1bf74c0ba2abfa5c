"""file_service HTTP API: parse the multipart body, call a use case, shape the answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from dishka.integrations.base import FromDishka
from pydantic import BaseModel
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_response

from service_kit.errors import InvalidInput
from service_kit.pagination import clamp_limit, page, position_after
from services.file_service import service
from services.file_service.archive import ArchivePart, is_archive
from services.file_service.config import Settings
from services.file_service.domain import FileVersion, FileView, IncomingFile
from services.file_service.protocols import BatchGate, FileUnitOfWork
from services.file_service.service import Peers

blueprint = Blueprint("files", __name__)


class UploadedFile(BaseModel):
    file_id: uuid.UUID
    filename: str
    status: str
    error_code: str | None = None
    error_message: str | None = None


class UploadOut(BaseModel):
    batch_id: str
    files: list[UploadedFile]


class VersionOut(BaseModel):
    version: int
    filename: str
    status: str
    kind: str | None
    size: int
    sha256: str
    error_code: str | None
    error_message: str | None
    raw_content_id: str | None
    text_content_id: str | None
    char_count: int | None
    word_count: int | None
    extraction_ms: float | None
    created_at: datetime
    processed_at: datetime | None

    @classmethod
    def of(cls, v: FileVersion) -> VersionOut:
        return cls(
            version=v.version,
            filename=v.filename,
            status=v.status.value,
            kind=v.kind,
            size=v.size,
            sha256=v.sha256,
            error_code=v.error_code,
            error_message=v.error_message,
            raw_content_id=v.raw_content_id,
            text_content_id=v.text_content_id,
            char_count=v.char_count,
            word_count=v.word_count,
            extraction_ms=v.extraction_ms,
            created_at=v.created_at,
            processed_at=v.processed_at,
        )


class FileOut(VersionOut):
    file_id: uuid.UUID
    batch_id: str
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of_view(cls, view: FileView) -> FileOut:
        return cls(
            **VersionOut.of(view.version).model_dump(),
            file_id=view.file.id,
            batch_id=view.file.batch_id,
            updated_at=view.file.updated_at,
            deleted_at=view.file.deleted_at,
        )


class FilePage(BaseModel):
    items: list[FileOut]
    next_cursor: str | None


class VersionList(BaseModel):
    file_id: uuid.UUID
    versions: list[VersionOut]


class FileListQuery(BaseModel):
    limit: int = 50
    cursor: str | None = None
    include_deleted: bool = False


def _uploaded(view: FileView) -> UploadedFile:
    v = view.version
    return UploadedFile(
        file_id=v.file_id,
        filename=v.filename,
        status=v.status.value,
        error_code=v.error_code,
        error_message=v.error_message,
    )


async def _incoming_files(
    limit: int, *, archives: bool = False
) -> list[IncomingFile | ArchivePart]:
    """The request's parts; with ``archives``, a zip archive is left in its spooled file for
    the use case to unpack (see archive.py) rather than read into memory."""
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise InvalidInput("send the files as multipart/form-data")
    parts = await request.files
    found: list[IncomingFile | ArchivePart] = []
    for _field, storage in parts.items(multi=True):
        name = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "upload"
        if archives and is_archive(name, storage.mimetype, storage.stream):
            found.append(ArchivePart(name[:512], storage.stream))
        else:
            found.append(IncomingFile(name[:512], storage.read(), storage.mimetype or None))
    if len(found) > limit:
        raise InvalidInput(f"at most {limit} files per request")
    return found


@blueprint.post("/v1/batches/<batch_id>/files")
@validate_response(UploadOut, 202)
@inject
async def upload(
    batch_id: str,
    uow: FromDishka[FileUnitOfWork],
    gate: FromDishka[BatchGate],
    peers: FromDishka[Peers],
    settings: FromDishka[Settings],
) -> tuple[UploadOut, int]:
    if len(batch_id) > 64:
        raise InvalidInput("a batch id has at most 64 characters")
    incoming = await _incoming_files(settings.max_files_per_request, archives=True)
    views = await service.upload_files(
        uow, gate, peers, settings.limits, batch_id, incoming, settings.archive_limits
    )
    return UploadOut(batch_id=batch_id, files=[_uploaded(v) for v in views]), 202


@blueprint.put("/v1/files/<uuid:file_id>")
@validate_response(FileOut, 202)
@inject
async def replace(
    file_id: uuid.UUID,
    uow: FromDishka[FileUnitOfWork],
    gate: FromDishka[BatchGate],
    peers: FromDishka[Peers],
    settings: FromDishka[Settings],
) -> tuple[FileOut, int]:
    incoming = await _incoming_files(1)
    if not incoming or not isinstance(incoming[0], IncomingFile):
        raise InvalidInput("send the new version as one file (multipart/form-data)")
    view = await service.replace_file(uow, gate, peers, settings.limits, file_id, incoming[0])
    return FileOut.of_view(view), 202


@blueprint.get("/v1/files/<uuid:file_id>")
@validate_response(FileOut)
@inject
async def get_file(file_id: uuid.UUID, uow: FromDishka[FileUnitOfWork]) -> FileOut:
    return FileOut.of_view(await service.get_file(uow, file_id))


@blueprint.get("/v1/files/<uuid:file_id>/versions")
@validate_response(VersionList)
@inject
async def versions(file_id: uuid.UUID, uow: FromDishka[FileUnitOfWork]) -> VersionList:
    found = await service.file_versions(uow, file_id)
    return VersionList(file_id=file_id, versions=[VersionOut.of(v) for v in found])


@blueprint.delete("/v1/files/<uuid:file_id>")
@inject
async def delete(
    file_id: uuid.UUID,
    uow: FromDishka[FileUnitOfWork],
    gate: FromDishka[BatchGate],
    peers: FromDishka[Peers],
) -> Response:
    await service.delete_file(uow, gate, peers, file_id)
    return Response(b"", status=204)


@blueprint.get("/v1/batches/<batch_id>/files")
@validate_querystring(FileListQuery)
@validate_response(FilePage)
@inject
async def list_files(
    batch_id: str, query_args: FileListQuery, uow: FromDishka[FileUnitOfWork]
) -> FilePage:
    limit = clamp_limit(query_args.limit)
    views = await service.list_files(
        uow,
        batch_id,
        after=position_after(query_args.cursor),
        limit=limit + 1,
        include_deleted=query_args.include_deleted,
    )
    shown, cursor = page(views, limit, lambda v: (v.file.created_at, v.file.id))
    return FilePage(items=[FileOut.of_view(v) for v in shown], next_cursor=cursor)


class IntakeOut(BaseModel):
    """A batch's files by their final outcome; ``sealed`` once the batch takes no more."""

    batch_id: str
    sealed: bool
    files: int
    processing: int
    ready: int
    rejected: int


@blueprint.post("/internal/v1/batches/<batch_id>/seal")
@validate_response(IntakeOut)
@inject
async def seal_batch(batch_id: str, uow: FromDishka[FileUnitOfWork]) -> IntakeOut:
    """batch_orchestrator's start: seals the batch when every file has its outcome."""
    if len(batch_id) > 64:
        raise InvalidInput("a batch id is at most 64 characters")
    intake = await service.seal_batch(uow, batch_id)
    return IntakeOut(
        batch_id=batch_id,
        sealed=intake.sealed_at is not None,
        files=intake.files,
        processing=intake.processing,
        ready=intake.ready,
        rejected=intake.rejected,
    )
