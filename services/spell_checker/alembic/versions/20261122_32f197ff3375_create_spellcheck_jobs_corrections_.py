"""create spellcheck jobs, corrections, outbox, inbox and jobs

Revision ID: 32f197ff3375
Revises:
Create Date: 2026-11-22 02:32:27.414823+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service_kit.messaging.migration import create_messaging_tables, drop_messaging_tables

revision: str = "32f197ff3375"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "spellcheck_jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("essay_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("content_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("callback_url", sa.Text(), nullable=False),
        sa.Column("ignore", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("check_names", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "running", "succeeded", "failed", name="spellcheck_status"),
            nullable=False,
        ),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=True),
        sa.Column("error_count", sa.Integer(), nullable=True),
        sa.Column("errors_per_100_words", sa.Float(), nullable=True),
        sa.Column("corrections_count", sa.Integer(), nullable=True),
        sa.Column("corrected_text_content_id", sa.String(length=64), nullable=True),
        sa.Column("check_ms", sa.Float(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spellcheck_jobs")),
        sa.UniqueConstraint("essay_id", "content_id", name="uq_spellcheck_jobs_essay_content"),
    )
    op.create_index(
        op.f("ix_spellcheck_jobs_batch_id"), "spellcheck_jobs", ["batch_id"], unique=False
    )
    op.create_table(
        "corrections",
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("candidates", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["spellcheck_jobs.id"],
            name=op.f("fk_corrections_job_id_spellcheck_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "position", name=op.f("pk_corrections")),
    )


def downgrade() -> None:
    op.drop_table("corrections")
    op.drop_index(op.f("ix_spellcheck_jobs_batch_id"), table_name="spellcheck_jobs")
    op.drop_table("spellcheck_jobs")
    sa.Enum(name="spellcheck_status").drop(op.get_bind(), checkfirst=True)
    drop_messaging_tables()
