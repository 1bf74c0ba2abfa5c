"""content_service's messages as its peers use them: a document created (file_service's
raw file and extracted text, spell_checker's corrected text), a blob stored, and the answers
they read back (``content_id``).

Reading a text (``GET /v1/content/{content_id}``, by cj_assessment and spell_checker) and
storing a blob (``POST /v1/content``, file_service) carry raw bytes, not JSON: only the
blob's answer has a model.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service_kit.fields import SafeJson, SafeText


class DocumentKind(str, enum.Enum):
    RAW_FILE = "raw_file"
    EXTRACTED_TEXT = "extracted_text"
    CORRECTED_TEXT = "corrected_text"
    PROMPT = "prompt"
    RUBRIC = "rubric"
    ANCHOR = "anchor"
    OTHER = "other"


class BlobOut(BaseModel):
    """content_service -> file_service (the answer), ``POST /v1/content``: the stored bytes'
    content id."""

    content_id: str
    size: int
    content_type: str


class DocumentIn(BaseModel):
    """file_service and spell_checker -> content_service, ``POST /v1/documents`` (with an
    Idempotency-Key): a document over stored bytes (``content_id``) or a text."""

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


class DocumentOut(BaseModel):
    """content_service -> file_service and spell_checker (the answer), ``POST /v1/documents``:
    the document; its peers read ``content_id``."""

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
