"""batch intake seals a batch's files

Revision ID: 6044fbaf50c9
Revises: 3eba49b5ee2f
Create Date: 2026-12-04 11:36:35.617128+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6044fbaf50c9"
down_revision: str | None = "3eba49b5ee2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_intake",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batch_intake")),
    )


def downgrade() -> None:
    op.drop_table("batch_intake")
