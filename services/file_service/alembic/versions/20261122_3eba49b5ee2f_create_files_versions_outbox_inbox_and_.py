"""create files, versions, outbox, inbox and jobs

Revision ID: 3eba49b5ee2f
Revises:
Create Date: 2026-11-22 00:35:48.881488+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service_kit.messaging.migration import create_messaging_tables, drop_messaging_tables

revision: str = "3eba49b5ee2f"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "files",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
    )
    op.create_index(
        "ix_files_batch_created", "files", ["batch_id", "created_at", "id"], unique=False
    )
    op.create_table(
        "file_versions",
        sa.Column("file_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=512), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "status", sa.Enum("processing", "ready", "rejected", name="file_status"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("raw_content_id", sa.String(length=64), nullable=True),
        sa.Column("text_content_id", sa.String(length=64), nullable=True),
        sa.Column("char_count", sa.Integer(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=True),
        sa.Column("extraction_ms", sa.Float(), nullable=True),
        sa.Column("staged_bytes", sa.LargeBinary(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_file_versions_file_id_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "version", name=op.f("pk_file_versions")),
    )


def downgrade() -> None:
    op.drop_table("file_versions")
    op.drop_index("ix_files_batch_created", table_name="files")
    op.drop_table("files")
    sa.Enum(name="file_status").drop(op.get_bind(), checkfirst=True)
    drop_messaging_tables()
