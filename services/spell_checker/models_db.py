"""spell_checker tables. Alembic migrations are written from these, never create_all."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_kit.db import make_metadata
from service_kit.messaging.tables import messaging_tables
from services.spell_checker.domain import SpellcheckStatus


class Base(DeclarativeBase):
    metadata = make_metadata()


spellcheck_status = Enum(
    SpellcheckStatus,
    name="spellcheck_status",
    values_callable=lambda kinds: [k.value for k in kinds],
)


class SpellcheckJobRow(Base):
    """One row per essay text: the unique pair is what makes a repeated request one job."""

    __tablename__ = "spellcheck_jobs"
    __table_args__ = (
        UniqueConstraint("essay_id", "content_id", name="uq_spellcheck_jobs_essay_content"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    essay_id: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    content_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    callback_url: Mapped[str] = mapped_column(Text)
    ignore: Mapped[list[str]] = mapped_column(ARRAY(Text))
    check_names: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[SpellcheckStatus] = mapped_column(spellcheck_status)
    run: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int | None] = mapped_column(Integer)
    error_count: Mapped[int | None] = mapped_column(Integer)
    errors_per_100_words: Mapped[float | None] = mapped_column(Float)
    corrections_count: Mapped[int | None] = mapped_column(Integer)
    corrected_count: Mapped[int | None] = mapped_column(Integer)
    flagged_count: Mapped[int | None] = mapped_column(Integer)
    unknown_count: Mapped[int | None] = mapped_column(Integer)
    corrected_text_content_id: Mapped[str | None] = mapped_column(String(64))
    check_ms: Mapped[float | None] = mapped_column(Float)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CorrectionRow(Base):
    __tablename__ = "corrections"

    job_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("spellcheck_jobs.id", ondelete="CASCADE"),
        primary_key=True,
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    original: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text)
    candidates: Mapped[list[str]] = mapped_column(ARRAY(Text))
    applied: Mapped[bool] = mapped_column(Boolean, server_default=true())


messaging = messaging_tables(Base.metadata)
