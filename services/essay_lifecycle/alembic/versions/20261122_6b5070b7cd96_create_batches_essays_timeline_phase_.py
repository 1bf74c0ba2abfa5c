"""create batches, essays, timeline, phase runs, outbox, inbox and jobs

Revision ID: 6b5070b7cd96
Revises:
Create Date: 2026-11-22 01:32:15.556101+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service_kit.messaging.migration import create_messaging_tables, drop_messaging_tables

revision: str = "6b5070b7cd96"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("expected_essay_count", sa.Integer(), nullable=True),
        sa.Column("callback_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_table(
        "essays",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=512), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ready",
                "content_rejected",
                "spellcheck_pending",
                "spellcheck_in_progress",
                "spellcheck_succeeded",
                "spellcheck_failed",
                "cj_assessment_pending",
                "cj_assessment_in_progress",
                "cj_assessment_succeeded",
                "cj_assessment_failed",
                "completed",
                "cancelled",
                name="essay_status",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("file_version", sa.Integer(), nullable=False),
        sa.Column("text_content_id", sa.String(length=64), nullable=True),
        sa.Column("raw_content_id", sa.String(length=64), nullable=True),
        sa.Column("corrected_text_content_id", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("phase", sa.Enum("spellcheck", "cj_assessment", name="phase"), nullable=True),
        sa.Column("phase_attempt", sa.Integer(), nullable=True),
        sa.Column("spelling", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("assessment", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_essays_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_essays")),
        sa.UniqueConstraint("batch_id", "file_id", name=op.f("uq_essays_batch_id_file_id")),
    )
    op.create_index(
        "ix_essays_batch_created", "essays", ["batch_id", "created_at", "id"], unique=False
    )
    op.create_index("ix_essays_batch_status", "essays", ["batch_id", "status"], unique=False)
    op.create_index("ix_essays_run", "essays", ["batch_id", "phase", "phase_attempt"], unique=False)
    op.create_table(
        "phase_runs",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.Enum("spellcheck", "cj_assessment", name="phase"), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "status", sa.Enum("running", "reported", name="phase_run_status"), nullable=False
        ),
        sa.Column("essay_count", sa.Integer(), nullable=False),
        sa.Column("open_essays", sa.Integer(), nullable=False),
        sa.Column(
            "settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("last_phase", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_phase_runs_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("batch_id", "phase", "attempt", name=op.f("pk_phase_runs")),
    )
    op.create_table(
        "essay_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("essay_id", sa.UUID(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "ready",
                "content_rejected",
                "spellcheck_pending",
                "spellcheck_in_progress",
                "spellcheck_succeeded",
                "spellcheck_failed",
                "cj_assessment_pending",
                "cj_assessment_in_progress",
                "cj_assessment_succeeded",
                "cj_assessment_failed",
                "completed",
                "cancelled",
                name="essay_status",
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "ready",
                "content_rejected",
                "spellcheck_pending",
                "spellcheck_in_progress",
                "spellcheck_succeeded",
                "spellcheck_failed",
                "cj_assessment_pending",
                "cj_assessment_in_progress",
                "cj_assessment_succeeded",
                "cj_assessment_failed",
                "completed",
                "cancelled",
                name="essay_status",
            ),
            nullable=False,
        ),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("correlation_id", sa.String(length=128), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["essay_id"], ["essays.id"], name=op.f("fk_essay_events_essay_id_essays")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_essay_events")),
        sa.UniqueConstraint("essay_id", "sequence", name=op.f("uq_essay_events_essay_id_sequence")),
    )


def downgrade() -> None:
    op.drop_table("essay_events")
    op.drop_table("phase_runs")
    op.drop_index("ix_essays_run", table_name="essays")
    op.drop_index("ix_essays_batch_status", table_name="essays")
    op.drop_index("ix_essays_batch_created", table_name="essays")
    op.drop_table("essays")
    op.drop_table("batches")
    for name in ("essay_status", "phase", "phase_run_status"):
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
    drop_messaging_tables()
