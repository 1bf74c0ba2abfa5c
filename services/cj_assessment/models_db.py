"""cj_assessment tables. Alembic migrations are written from these, never create_all."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_kit.db import make_metadata, pg_enum
from service_kit.messaging.tables import messaging_tables
from services.cj_assessment.domain import AssessmentStatus, ComparisonStatus, JudgeKind


class Base(DeclarativeBase):
    metadata = make_metadata()


assessment_status = pg_enum(AssessmentStatus, "assessment_status")
judge_kind = pg_enum(JudgeKind, "judge_kind")
comparison_status = pg_enum(ComparisonStatus, "comparison_status")

ESSAY_ID = 128


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_batch_created", "batch_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    batch_id: Mapped[str | None] = mapped_column(String(64))
    judge: Mapped[JudgeKind] = mapped_column(judge_kind)
    status: Mapped[AssessmentStatus] = mapped_column(assessment_status)
    min_comparisons_per_essay: Mapped[int] = mapped_column(Integer)
    max_comparisons_per_essay: Mapped[int] = mapped_column(Integer)
    target_reliability: Mapped[float] = mapped_column(Float)
    grade_scale: Mapped[list[str] | None] = mapped_column(ARRAY(String(64)))
    instructions: Mapped[str | None] = mapped_column(Text)
    callback_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    reliability: Mapped[float | None] = mapped_column(Float)
    reliability_method: Mapped[str | None] = mapped_column(String(32))
    ssr: Mapped[float | None] = mapped_column(Float)
    position_bias: Mapped[float | None] = mapped_column(Float)
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    excluded_judges: Mapped[list[str]] = mapped_column(
        ARRAY(String(128)), server_default=sql_text("'{}'")
    )
    kept_judges: Mapped[list[str]] = mapped_column(
        ARRAY(String(128)), server_default=sql_text("'{}'")
    )


class AssessmentEssayRow(Base):
    __tablename__ = "assessment_essays"
    # the ranking, a page at a time (use_cases/ranking.py)
    __table_args__ = (Index("ix_assessment_essays_rank", "assessment_id", "rank"),)

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    essay_id: Mapped[str] = mapped_column(String(ESSAY_ID), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    content_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    extra_anchor: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))
    anchor_grade: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    se: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    comparisons: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


class ComparisonRow(Base):
    __tablename__ = "comparisons"
    __table_args__ = (
        ForeignKeyConstraint(
            ["assessment_id", "essay_a"],
            ["assessment_essays.assessment_id", "assessment_essays.essay_id"],
            name="fk_comparisons_essay_a_assessment_essays",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["assessment_id", "essay_b"],
            ["assessment_essays.assessment_id", "assessment_essays.essay_id"],
            name="fk_comparisons_essay_b_assessment_essays",
            ondelete="CASCADE",
        ),
        Index("ix_comparisons_assessment_status", "assessment_id", "status"),
        # a human judge is put to an unordered pair of essays at most once (ever)
        Index(
            "uq_comparisons_human_pair",
            "assessment_id",
            "pair_key",
            "judge_id",
            unique=True,
            postgresql_where=sql_text("judge_kind = 'human'"),
        ),
    )

    pair_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    judge_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    essay_a: Mapped[str] = mapped_column(String(ESSAY_ID))
    essay_b: Mapped[str] = mapped_column(String(ESSAY_ID))
    pair_key: Mapped[str] = mapped_column(String(2 * ESSAY_ID + 8))
    judge_kind: Mapped[JudgeKind] = mapped_column(judge_kind)
    status: Mapped[ComparisonStatus] = mapped_column(comparison_status)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    winner: Mapped[str | None] = mapped_column(String(1))
    confidence: Mapped[float | None] = mapped_column(Float)
    justification: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JudgeRow(Base):
    __tablename__ = "judges"

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    judge_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[JudgeKind] = mapped_column(judge_kind)
    judgements: Mapped[int] = mapped_column(Integer)
    infit: Mapped[float | None] = mapped_column(Float)
    outfit: Mapped[float | None] = mapped_column(Float)
    infit_se: Mapped[float | None] = mapped_column(Float)
    outfit_se: Mapped[float | None] = mapped_column(Float)
    misfit: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))
    discrimination: Mapped[float | None] = mapped_column(Float)
    discrimination_se: Mapped[float | None] = mapped_column(Float)
    position_bias: Mapped[float | None] = mapped_column(Float)
    position_bias_se: Mapped[float | None] = mapped_column(Float)
    degenerate: Mapped[str | None] = mapped_column(Text)


class GradeProjectionRow(Base):
    __tablename__ = "grade_projections"
    __table_args__ = (
        ForeignKeyConstraint(
            ["assessment_id", "essay_id"],
            ["assessment_essays.assessment_id", "assessment_essays.essay_id"],
            ondelete="CASCADE",
        ),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    essay_id: Mapped[str] = mapped_column(String(ESSAY_ID), primary_key=True)
    grade: Mapped[str] = mapped_column(String(64))
    # grade -> probability over the assessment's grade scale (its keys vary by assessment)
    probabilities: Mapped[dict[str, float]] = mapped_column(JSONB)


class PairQueueRow(Base):
    """Pairs chosen ahead for people to judge, one generation per fit: a judge claims the
    first unclaimed pair of the newest generation it has not seen (runs/pair_queue.py)."""

    __tablename__ = "pair_queue"

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    essay_a: Mapped[str] = mapped_column(String(ESSAY_ID))
    essay_b: Mapped[str] = mapped_column(String(ESSAY_ID))
    pair_key: Mapped[str] = mapped_column(String(2 * ESSAY_ID + 8))
    claimed: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))


messaging = messaging_tables(Base.metadata)
