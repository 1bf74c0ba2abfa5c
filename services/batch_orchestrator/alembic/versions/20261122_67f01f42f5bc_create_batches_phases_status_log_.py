"""create batches, phases, status log, snapshots, results, outbox, inbox and jobs

Revision ID: 67f01f42f5bc
Revises:
Create Date: 2026-11-22 01:11:16.522261+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service_kit.messaging.migration import create_messaging_tables, drop_messaging_tables

revision: str = "67f01f42f5bc"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "configuration_snapshots",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration_snapshots")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_content",
                "ready",
                "processing",
                "completed",
                "completed_with_failures",
                "failed",
                "cancelled",
                name="batch_status",
            ),
            nullable=False,
        ),
        sa.Column("pipeline", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expected_essay_count", sa.Integer(), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("snapshot_id", sa.UUID(), nullable=True),
        sa.Column("results_summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["configuration_snapshots.id"],
            name=op.f("fk_batches_snapshot_id_configuration_snapshots"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_index(
        "ix_batches_owner_created", "batches", ["owner", "created_at", "id"], unique=False
    )
    op.create_table(
        "essay_results",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("essay_id", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("spelling", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("corrected_text_content_id", sa.String(length=64), nullable=True),
        sa.Column("assessment", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_essay_results_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("batch_id", "essay_id", name=op.f("pk_essay_results")),
    )
    op.create_table(
        "phase_status",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "dispatched",
                "in_progress",
                "succeeded",
                "partially_succeeded",
                "failed",
                "cancelled",
                "skipped",
                name="phase_state",
            ),
            nullable=False,
        ),
        sa.Column("essays", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_phase_status_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("batch_id", "phase", "attempt", name=op.f("pk_phase_status")),
    )
    op.create_table(
        "phase_status_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_phase_status_log_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase_status_log")),
    )
    op.create_index(
        "ix_phase_status_log_batch", "phase_status_log", ["batch_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_phase_status_log_batch", table_name="phase_status_log")
    op.drop_table("phase_status_log")
    op.drop_table("phase_status")
    op.drop_table("essay_results")
    op.drop_index("ix_batches_owner_created", table_name="batches")
    op.drop_table("batches")
    op.drop_table("configuration_snapshots")
    for name in ("batch_status", "phase_state"):
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
    drop_messaging_tables()
