"""content_service's HTTP request and response models (their names are the OpenAPI components).

What a peer sends (``DocumentIn``) or reads back (``BlobOut``, ``DocumentOut``) is the shared
contract model, re-exported here; the rest only teachers' clients use.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.content import BlobOut, DocumentIn, DocumentOut
from service_kit.fields import Int32, SafeJson, SafeText
from services.content_service.domain import DocumentKind, DocumentView

__all__ = [
    "BlobOut",
    "DocumentIn",
    "DocumentListQuery",
    "DocumentOut",
    "DocumentPage",
    "DocumentPatch",
    "document_out",
]


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


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


class DocumentListQuery(BaseModel):
    batch_id: SafeText | None = None
    essay_id: SafeText | None = None
    kind: DocumentKind | None = None
    include_deleted: bool = False
    limit: Int32 = 50
    cursor: SafeText | None = None


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
