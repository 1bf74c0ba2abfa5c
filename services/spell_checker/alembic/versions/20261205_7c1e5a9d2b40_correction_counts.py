"""the counts of issue 17: corrected, flagged and unknown per job; applied per correction

Revision ID: 7c1e5a9d2b40
Revises: 32f197ff3375
Create Date: 2026-12-05 16:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5a9d2b40"
down_revision: str | None = "32f197ff3375"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for column in ("corrected_count", "flagged_count", "unknown_count"):
        op.add_column("spellcheck_jobs", sa.Column(column, sa.Integer(), nullable=True))
    op.add_column(
        "corrections",
        sa.Column("applied", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("corrections", "applied")
    for column in ("unknown_count", "flagged_count", "corrected_count"):
        op.drop_column("spellcheck_jobs", column)
