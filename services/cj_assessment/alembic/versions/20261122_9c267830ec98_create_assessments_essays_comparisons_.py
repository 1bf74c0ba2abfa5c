"""create assessments, essays, comparisons, judges, grade projections, outbox, inbox and jobs

Revision ID: 9c267830ec98
Revises:
Create Date: 2026-11-22 02:35:23.012993+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service_kit.messaging.migration import create_messaging_tables, drop_messaging_tables

revision: str = "9c267830ec98"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUMS = ("judge_kind", "assessment_status", "comparison_status")


def upgrade() -> None:
    create_messaging_tables()
    judge_kind = sa.Enum("human", "llm", "baseline", name="judge_kind")
    op.create_table(
        "assessments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=True),
        sa.Column("judge", judge_kind, nullable=False),
        sa.Column(
            "status",
            sa.Enum("preparing", "running", "completed", "failed", name="assessment_status"),
            nullable=False,
        ),
        sa.Column("min_comparisons_per_essay", sa.Integer(), nullable=False),
        sa.Column("max_comparisons_per_essay", sa.Integer(), nullable=False),
        sa.Column("target_reliability", sa.Float(), nullable=False),
        sa.Column("grade_scale", sa.ARRAY(sa.String(length=64)), nullable=True),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("callback_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reliability", sa.Float(), nullable=True),
        sa.Column("reliability_method", sa.String(length=32), nullable=True),
        sa.Column("ssr", sa.Float(), nullable=True),
        sa.Column("position_bias", sa.Float(), nullable=True),
        sa.Column("stop_reason", sa.String(length=32), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_batch_created", "assessments", ["batch_id", "created_at", "id"])
    op.create_table(
        "assessment_essays",
        sa.Column("assessment_id", sa.UUID(), nullable=False),
        sa.Column("essay_id", sa.String(length=128), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("extra_anchor", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("anchor_grade", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("se", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("comparisons", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_essays_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "essay_id", name=op.f("pk_assessment_essays")),
    )
    op.create_table(
        "judges",
        sa.Column("assessment_id", sa.UUID(), nullable=False),
        sa.Column("judge_id", sa.String(length=128), nullable=False),
        sa.Column("kind", judge_kind, nullable=False),
        sa.Column("judgements", sa.Integer(), nullable=False),
        sa.Column("infit", sa.Float(), nullable=True),
        sa.Column("outfit", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_judges_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "judge_id", name=op.f("pk_judges")),
    )
    op.create_table(
        "comparisons",
        sa.Column("pair_id", sa.UUID(), nullable=False),
        sa.Column("judge_id", sa.String(length=128), nullable=False),
        sa.Column("assessment_id", sa.UUID(), nullable=False),
        sa.Column("essay_a", sa.String(length=128), nullable=False),
        sa.Column("essay_b", sa.String(length=128), nullable=False),
        sa.Column("pair_key", sa.String(length=264), nullable=False),
        sa.Column("judge_kind", judge_kind, nullable=False),
        sa.Column(
            "status",
            sa.Enum("leased", "answered", "failed", name="comparison_status"),
            nullable=False,
        ),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("winner", sa.String(length=1), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id", "essay_a"],
            ["assessment_essays.assessment_id", "assessment_essays.essay_id"],
            name="fk_comparisons_essay_a_assessment_essays",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id", "essay_b"],
            ["assessment_essays.assessment_id", "assessment_essays.essay_id"],
            name="fk_comparisons_essay_b_assessment_essays",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pair_id", "judge_id", name=op.f("pk_comparisons")),
    )
    op.create_index("ix_comparisons_assessment_status", "comparisons", ["assessment_id", "status"])
    op.create_index(
        "uq_comparisons_human_pair",
        "comparisons",
        ["assessment_id", "pair_key", "judge_id"],
        unique=True,
        postgresql_where=sa.text("judge_kind = 'human'"),
    )
    op.create_table(
        "grade_projections",
        sa.Column("assessment_id", sa.UUID(), nullable=False),
        sa.Column("essay_id", sa.String(length=128), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=False),
        sa.Column("probabilities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id", "essay_id"],
            ["assessment_essays.assessment_id", "assessment_essays.essay_id"],
            name=op.f("fk_grade_projections_assessment_id_assessment_essays"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "essay_id", name=op.f("pk_grade_projections")),
    )


def downgrade() -> None:
    op.drop_table("grade_projections")
    op.drop_index("uq_comparisons_human_pair", table_name="comparisons")
    op.drop_index("ix_comparisons_assessment_status", table_name="comparisons")
    op.drop_table("comparisons")
    op.drop_table("judges")
    op.drop_table("assessment_essays")
    op.drop_index("ix_assessments_batch_created", table_name="assessments")
    op.drop_table("assessments")
    for name in ENUMS:
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
    drop_messaging_tables()
