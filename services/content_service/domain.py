"""content_service's domain: content-addressed blobs and the documents that give them context.

Pure Python: no Quart, no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from contracts.content import DocumentKind
from service_kit.errors import InvalidInput

__all__ = [  # DocumentKind is the contract's enum: one enum on the wire and in the domain
    "DEFAULT_CONTENT_TYPE",
    "PATCHABLE",
    "Blob",
    "Document",
    "DocumentChanges",
    "DocumentKind",
    "DocumentQuery",
    "DocumentView",
    "InvalidContentId",
    "PurgeReport",
    "StoredBlob",
    "UnknownContent",
    "content_id_of",
    "require_content_id",
]

_CONTENT_ID = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class InvalidContentId(InvalidInput):
    status = 400
    title = "Invalid content id"


class UnknownContent(InvalidInput):
    """A document names a blob this store does not hold."""

    title = "Unknown content"


def content_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def require_content_id(value: str) -> str:
    if not _CONTENT_ID.match(value):
        raise InvalidContentId("a content id is 64 lowercase hexadecimal characters (sha256)")
    return value


@dataclass(frozen=True)
class Blob:
    content_id: str
    size: int
    content_type: str
    created_at: datetime

    @classmethod
    def of(cls, data: bytes, content_type: str | None, at: datetime) -> Blob:
        return cls(content_id_of(data), len(data), content_type or DEFAULT_CONTENT_TYPE, at)


@dataclass(frozen=True)
class StoredBlob:
    blob: Blob
    created: bool  # False when the same bytes were already stored (a dedup hit)


@dataclass(frozen=True)
class Document:
    id: uuid.UUID
    content_id: str
    kind: DocumentKind
    batch_id: str | None
    essay_id: str | None
    filename: str | None
    metadata: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

    @classmethod
    def new(
        cls,
        content_id: str,
        kind: DocumentKind,
        *,
        at: datetime,
        batch_id: str | None = None,
        essay_id: str | None = None,
        filename: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Document:
        return cls(
            id=uuid.uuid4(),
            content_id=require_content_id(content_id),
            kind=kind,
            batch_id=batch_id,
            essay_id=essay_id,
            filename=filename,
            metadata=dict(metadata or {}),
            version=1,
            created_at=at,
            updated_at=at,
        )

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_deleted(self, at: datetime) -> Document:
        """The document once deleted: kept, one version later, answered as gone."""
        return replace(self, deleted_at=at, updated_at=at, version=self.version + 1)


@dataclass(frozen=True)
class DocumentView:
    """A document joined with its blob's size, type and hash."""

    document: Document
    size: int
    content_type: str


PATCHABLE = frozenset({"content_id", "kind", "batch_id", "essay_id", "filename", "metadata"})


@dataclass(frozen=True)
class DocumentChanges:
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.values) - PATCHABLE
        if unknown:
            raise InvalidInput(f"these fields cannot be changed: {', '.join(sorted(unknown))}")
        nulled = {k for k in ("kind", "content_id", "metadata") if k in self.values} - {
            k for k, v in self.values.items() if v is not None
        }
        if nulled:
            raise InvalidInput(f"these fields cannot be null: {', '.join(sorted(nulled))}")
        if "content_id" in self.values:
            require_content_id(self.values["content_id"])
        if not self.values:
            raise InvalidInput("a patch must change at least one field")

    def apply(self, document: Document, at: datetime) -> Document:
        """The document after the change: one version later."""
        return replace(document, **self.values, version=document.version + 1, updated_at=at)


@dataclass(frozen=True)
class DocumentQuery:
    batch_id: str | None = None
    essay_id: str | None = None
    kind: DocumentKind | None = None
    include_deleted: bool = False
    after: tuple[datetime, uuid.UUID] | None = None
    limit: int = 50


@dataclass(frozen=True)
class PurgeReport:
    blobs: list[str]
    bytes_freed: int
    documents_removed: int
