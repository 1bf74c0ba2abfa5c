"""content_service's HTTP request and response models (their names are the OpenAPI components)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service_kit.fields import SafeJson, SafeText
from services.content_service.domain import DocumentKind, DocumentView


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

    def sent(self) -> dict[str, Any]:
        """Only the fields the client sent (a null it sent included): the patch's values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


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


def document_out(view: DocumentView) -> DocumentOut:
    """The one mapping to a document's answer: the document's own fields, ``sha256`` repeating
    its content id, and the size and type of the blob it is joined with."""
    document = view.document
    return DocumentOut.model_validate(
        {
            **vars(document),
            "sha256": document.content_id,
            "size": view.size,
            "content_type": view.content_type,
        }
    )
