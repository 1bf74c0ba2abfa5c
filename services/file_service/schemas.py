"""file_service's HTTP request and response models, read from the domain's objects with
``from_attributes`` (their names are the OpenAPI component names: keep them). The seal's
answer, ``IntakeOut``, is the contract batch_orchestrator reads (contracts.files)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from contracts.files import IntakeOut
from service_kit.fields import Int32, SafeText
from services.file_service.domain import FileView

__all__ = [
    "FileListQuery",
    "FileOut",
    "FilePage",
    "IntakeOut",
    "UploadOut",
    "UploadedFile",
    "VersionList",
    "VersionOut",
]


class UploadedFile(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    file_id: uuid.UUID
    filename: str
    status: str
    error_code: str | None = None
    error_message: str | None = None


class UploadOut(BaseModel):
    batch_id: str
    files: list[UploadedFile]


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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


class FileOut(VersionOut):
    file_id: uuid.UUID
    batch_id: str
    updated_at: datetime
    deleted_at: datetime | None

    @model_validator(mode="before")
    @classmethod
    def _of_view(cls, data: Any) -> Any:
        """A file is its current version's fields and the file's own (the one mapping)."""
        if not isinstance(data, FileView):
            return data
        file = data.file
        return {
            **{f.name: getattr(data.version, f.name) for f in dataclasses.fields(data.version)},
            "file_id": file.id,
            "batch_id": file.batch_id,
            "updated_at": file.updated_at,
            "deleted_at": file.deleted_at,
        }


class FilePage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    items: list[FileOut]
    next_cursor: str | None


class VersionList(BaseModel):
    file_id: uuid.UUID
    versions: list[VersionOut]


class FileListQuery(BaseModel):
    limit: Int32 = 50
    cursor: SafeText | None = None
    include_deleted: bool = False
