"""content_service tables. Alembic migrations are written from these, never create_all."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_kit.db import make_metadata
from service_kit.messaging.tables import processed_requests_table
from services.content_service.domain import DocumentKind


class Base(DeclarativeBase):
    metadata = make_metadata()


class BlobRow(Base):
    __tablename__ = "blobs"
    __table_args__ = (CheckConstraint("content_id ~ '^[0-9a-f]{64}$'", name="sha256_hex"),)

    content_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )


document_kind = Enum(
    DocumentKind,
    name="document_kind",
    values_callable=lambda kinds: [kind.value for kind in kinds],
)


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_batch_essay_kind", "batch_id", "essay_id", "kind"),
        Index("ix_documents_created_id", "created_at", "id"),
        Index("ix_documents_content_id", "content_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    content_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("blobs.content_id", ondelete="RESTRICT")
    )
    kind: Mapped[DocumentKind] = mapped_column(document_kind)
    batch_id: Mapped[str | None] = mapped_column(String(64))
    essay_id: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(512))
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, server_default=text("'{}'::jsonb")
    )
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# the inbox: POST /v1/documents with an Idempotency-Key makes one document however often it comes
processed_requests = processed_requests_table(Base.metadata)
