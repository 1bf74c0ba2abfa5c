"""create blobs and documents

Revision ID: 76fd812ed473
Revises:
Create Date: 2026-11-22 00:23:33.049264+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "76fd812ed473"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("content_id", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("content_id ~ '^[0-9a-f]{64}$'", name=op.f("ck_blobs_sha256_hex")),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_blobs")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("content_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "raw_file",
                "extracted_text",
                "corrected_text",
                "prompt",
                "rubric",
                "anchor",
                "other",
                name="document_kind",
            ),
            nullable=False,
        ),
        sa.Column("batch_id", sa.String(length=64), nullable=True),
        sa.Column("essay_id", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=512), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["blobs.content_id"],
            name=op.f("fk_documents_content_id_blobs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(
        "ix_documents_batch_essay_kind", "documents", ["batch_id", "essay_id", "kind"], unique=False
    )
    op.create_index("ix_documents_content_id", "documents", ["content_id"], unique=False)
    op.create_index("ix_documents_created_id", "documents", ["created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_documents_created_id", table_name="documents")
    op.drop_index("ix_documents_content_id", table_name="documents")
    op.drop_index("ix_documents_batch_essay_kind", table_name="documents")
    op.drop_table("documents")
    op.drop_table("blobs")
    sa.Enum(name="document_kind").drop(op.get_bind(), checkfirst=True)
