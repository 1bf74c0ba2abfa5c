"""file_service HTTP API: parse the multipart body, call one use case, map the answer."""

from __future__ import annotations

import uuid

from dishka.integrations.base import FromDishka
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_response

from service_kit.errors import InvalidInput
from service_kit.openapi import FilePart, Multipart, answers
from services.file_service.archive import ArchivePart, is_archive
from services.file_service.domain import IncomingFile
from services.file_service.schemas import (
    FileListQuery,
    FileOut,
    FilePage,
    IntakeOut,
    UploadedFile,
    UploadOut,
    VersionList,
    VersionOut,
)
from services.file_service.use_cases import (
    DeleteFile,
    DeleteFileCommand,
    GetFile,
    GetFileCommand,
    ListBatchFiles,
    ListBatchFilesCommand,
    ListFileVersions,
    ListFileVersionsCommand,
    ReplaceFile,
    ReplaceFileCommand,
    SealBatchIntake,
    SealBatchIntakeCommand,
    UploadFiles,
    UploadFilesCommand,
)

blueprint = Blueprint("files", __name__)
ESSAY_TYPES = (
    "text/plain",
    "text/markdown",
    "application/pdf",
    "application/rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
)
UPLOAD = Multipart(
    (FilePart("files", (*ESSAY_TYPES, "application/zip"), many=True),),
    200 * 1024 * 1024,
    "Essays as file parts (any part name), up to 100 parts of at most 10 MiB each; a zip "
    "archive is one part and is unpacked (at most 10,000 members, 1 GiB unpacked). A "
    "refused file is reported per file: 413 too large, 415 unsupported type, 422 otherwise.",
)
REPLACEMENT = Multipart(
    (FilePart("file", ESSAY_TYPES),),
    10 * 1024 * 1024,
    "The file's new version, as one file part of at most 10 MiB.",
)
READ_FILE = {
    "GetFile": {
        "operationId": "get_get_file",
        "parameters": {"file_id": "$response.body#/file_id"},
    },
    "Versions": {
        "operationId": "get_versions",
        "parameters": {"file_id": "$response.body#/file_id"},
    },
}


async def _incoming_files(*, archives: bool = False) -> list[IncomingFile | ArchivePart]:
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
    return found


@blueprint.post("/v1/batches/<batch_id>/files")
@answers(409, 413, 415, 422, body=UPLOAD)
@validate_response(UploadOut, 202)
@inject
async def upload(batch_id: str, upload_files: FromDishka[UploadFiles]) -> tuple[UploadOut, int]:
    if len(batch_id) > 64:
        raise InvalidInput("a batch id has at most 64 characters")
    incoming = await _incoming_files(archives=True)
    views = await upload_files.execute(UploadFilesCommand(batch_id, incoming))
    files = [UploadedFile.model_validate(v.version) for v in views]
    return UploadOut(batch_id=batch_id, files=files), 202


@blueprint.put("/v1/files/<uuid:file_id>")
@answers(409, 413, 415, 422, body=REPLACEMENT, links=READ_FILE)
@validate_response(FileOut, 202)
@inject
async def replace(file_id: uuid.UUID, replace_file: FromDishka[ReplaceFile]) -> tuple[FileOut, int]:
    incoming = await _incoming_files()
    if len(incoming) > 1:
        raise InvalidInput("at most 1 files per request")
    if not incoming or not isinstance(incoming[0], IncomingFile):
        raise InvalidInput("send the new version as one file (multipart/form-data)")
    view = await replace_file.execute(ReplaceFileCommand(file_id, incoming[0]))
    return FileOut.model_validate(view), 202


@blueprint.get("/v1/files/<uuid:file_id>")
@answers()
@validate_response(FileOut)
@inject
async def get_file(file_id: uuid.UUID, get: FromDishka[GetFile]) -> FileOut:
    return FileOut.model_validate(await get.execute(GetFileCommand(file_id)))


@blueprint.get("/v1/files/<uuid:file_id>/versions")
@answers()
@validate_response(VersionList)
@inject
async def versions(file_id: uuid.UUID, list_versions: FromDishka[ListFileVersions]) -> VersionList:
    found = await list_versions.execute(ListFileVersionsCommand(file_id))
    return VersionList(file_id=file_id, versions=[VersionOut.model_validate(v) for v in found])


@blueprint.delete("/v1/files/<uuid:file_id>")
@answers(409, success={204: {"description": "deleted"}})
@inject
async def delete(file_id: uuid.UUID, delete_file: FromDishka[DeleteFile]) -> Response:
    await delete_file.execute(DeleteFileCommand(file_id))
    return Response(b"", status=204)


@blueprint.get("/v1/batches/<batch_id>/files")
@answers()
@validate_querystring(FileListQuery)
@validate_response(FilePage)
@inject
async def list_files(
    batch_id: str, query_args: FileListQuery, list_batch_files: FromDishka[ListBatchFiles]
) -> FilePage:
    found = await list_batch_files.execute(
        ListBatchFilesCommand(
            batch_id,
            limit=query_args.limit,
            cursor=query_args.cursor,
            include_deleted=query_args.include_deleted,
        )
    )
    return FilePage.model_validate(found)


@blueprint.post("/internal/v1/batches/<batch_id>/seal")
@answers(409, 422)
@validate_response(IntakeOut)
@inject
async def seal_batch(batch_id: str, seal: FromDishka[SealBatchIntake]) -> IntakeOut:
    """batch_orchestrator's start: seals the batch when every file has its outcome."""
    if len(batch_id) > 64:
        raise InvalidInput("a batch id is at most 64 characters")
    intake = await seal.execute(SealBatchIntakeCommand(batch_id))
    return IntakeOut.model_validate(intake, from_attributes=True)
