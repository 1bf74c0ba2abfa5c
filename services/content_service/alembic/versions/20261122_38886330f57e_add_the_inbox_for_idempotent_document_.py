"""add the inbox for idempotent document creation

Revision ID: 38886330f57e
Revises: 76fd812ed473
Create Date: 2026-11-22 00:33:46.976752+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "38886330f57e"
down_revision: str | None = "76fd812ed473"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_requests",
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("idempotency_key", "scope", name=op.f("pk_processed_requests")),
    )


def downgrade() -> None:
    op.drop_table("processed_requests")
