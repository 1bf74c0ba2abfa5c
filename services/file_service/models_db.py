"""file_service tables. Alembic migrations are written from these, never create_all."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_kit.db import make_metadata
from service_kit.messaging.tables import messaging_tables
from services.file_service.domain import FileStatus


class Base(DeclarativeBase):
    metadata = make_metadata()


file_status = Enum(
    FileStatus, name="file_status", values_callable=lambda kinds: [k.value for k in kinds]
)


class FileRow(Base):
    __tablename__ = "files"
    __table_args__ = (Index("ix_files_batch_created", "batch_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FileVersionRow(Base):
    __tablename__ = "file_versions"

    file_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("files.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(512))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[FileStatus] = mapped_column(file_status)
    kind: Mapped[str | None] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    raw_content_id: Mapped[str | None] = mapped_column(String(64))
    text_content_id: Mapped[str | None] = mapped_column(String(64))
    char_count: Mapped[int | None] = mapped_column(Integer)
    word_count: Mapped[int | None] = mapped_column(Integer)
    extraction_ms: Mapped[float | None] = mapped_column(Float)
    # the upload's bytes, kept until the job has put them in content_service
    staged_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BatchIntakeRow(Base):
    """One row per batch that took files: uploads hold it shared until they commit, and the
    seal holds it exclusively, so no upload slips in between a seal's count and its mark."""

    __tablename__ = "batch_intake"

    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


messaging = messaging_tables(Base.metadata)
