"""batch_orchestrator tables. Alembic migrations are written from these, never create_all."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_kit.db import make_metadata, pg_enum
from service_kit.messaging.tables import messaging_tables
from services.batch_orchestrator.domain import BatchStatus, PhaseState


class Base(DeclarativeBase):
    metadata = make_metadata()


class BatchRow(Base):
    __tablename__ = "batches"
    __table_args__ = (Index("ix_batches_owner_created", "owner", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[BatchStatus] = mapped_column(pg_enum(BatchStatus, "batch_status"))
    pipeline: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    version: Mapped[int] = mapped_column(Integer)
    expected_essay_count: Mapped[int | None] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    snapshot_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("configuration_snapshots.id")
    )
    results_summary: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SnapshotRow(Base):
    """The exact settings in force when a pipeline started; never updated."""

    __tablename__ = "configuration_snapshots"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PhaseStatusRow(Base):
    __tablename__ = "phase_status"

    batch_id: Mapped[str] = mapped_column(String(64), ForeignKey("batches.id"), primary_key=True)
    phase: Mapped[str] = mapped_column(String(32), primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[PhaseState] = mapped_column(pg_enum(PhaseState, "phase_state"))
    essays: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StatusLogRow(Base):
    """Append-only: every change of a batch's status (phase NULL) or of a phase attempt's."""

    __tablename__ = "phase_status_log"
    __table_args__ = (Index("ix_phase_status_log_batch", "batch_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(64), ForeignKey("batches.id"))
    phase: Mapped[str | None] = mapped_column(String(32))
    attempt: Mapped[int | None] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EssayResultRow(Base):
    __tablename__ = "essay_results"

    batch_id: Mapped[str] = mapped_column(String(64), ForeignKey("batches.id"), primary_key=True)
    essay_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    # none_as_null: a phase that knows nothing of a figure leaves SQL NULL, not JSON null,
    # so the upsert's coalesce keeps what an earlier phase reported
    spelling: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    corrected_text_content_id: Mapped[str | None] = mapped_column(String(64))
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


messaging = messaging_tables(Base.metadata)
