"""essay_lifecycle tables. Alembic migrations are written from these, never create_all."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_kit.db import make_metadata, pg_enum
from service_kit.messaging.tables import messaging_tables
from services.essay_lifecycle.domain import EssayStatus, Phase, PhaseRunStatus


class Base(DeclarativeBase):
    metadata = make_metadata()


essay_status = pg_enum(EssayStatus, "essay_status")
phase_enum = pg_enum(Phase, "phase")


class BatchRow(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8))
    expected_essay_count: Mapped[int | None] = mapped_column(Integer)
    callback_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EssayRow(Base):
    __tablename__ = "essays"
    __table_args__ = (
        # the idempotency key of a file notification: one essay per file in a batch
        UniqueConstraint("batch_id", "file_id"),
        Index("ix_essays_batch_status", "batch_id", "status"),
        Index("ix_essays_batch_created", "batch_id", "created_at", "id"),
        Index("ix_essays_run", "batch_id", "phase", "phase_attempt"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64), ForeignKey("batches.id"))
    file_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(512))
    status: Mapped[EssayStatus] = mapped_column(essay_status)
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    file_version: Mapped[int] = mapped_column(Integer)
    text_content_id: Mapped[str | None] = mapped_column(String(64))
    raw_content_id: Mapped[str | None] = mapped_column(String(64))
    corrected_text_content_id: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[Phase | None] = mapped_column(phase_enum)
    phase_attempt: Mapped[int | None] = mapped_column(Integer)
    spelling: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EssayEventRow(Base):
    """The timeline: append-only, one row per transition, numbered by the essay's version."""

    __tablename__ = "essay_events"
    __table_args__ = (UniqueConstraint("essay_id", "sequence"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    essay_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("essays.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[EssayStatus | None] = mapped_column(essay_status)
    to_status: Mapped[EssayStatus] = mapped_column(essay_status)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PhaseRunRow(Base):
    """One attempt of one phase for one batch; reported to the orchestrator exactly once."""

    __tablename__ = "phase_runs"

    batch_id: Mapped[str] = mapped_column(String(64), ForeignKey("batches.id"), primary_key=True)
    phase: Mapped[Phase] = mapped_column(phase_enum, primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[PhaseRunStatus] = mapped_column(pg_enum(PhaseRunStatus, "phase_run_status"))
    essay_count: Mapped[int] = mapped_column(Integer)
    open_essays: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    last_phase: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


messaging = messaging_tables(Base.metadata)
