"""pair queue (pairs chosen ahead for people to judge), ranking index (issue 16)

Revision ID: 5e1a7c2d9b40
Revises: a15f0e1d2c3b
Create Date: 2026-12-05 16:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1a7c2d9b40"
down_revision: str | None = "a15f0e1d2c3b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pair_queue",
        sa.Column("assessment_id", sa.UUID(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("essay_a", sa.String(length=128), nullable=False),
        sa.Column("essay_b", sa.String(length=128), nullable=False),
        sa.Column("pair_key", sa.String(length=264), nullable=False),
        sa.Column("claimed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_pair_queue_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "generation", "seq", name=op.f("pk_pair_queue")),
    )
    op.create_index(
        "ix_assessment_essays_rank", "assessment_essays", ["assessment_id", "rank"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_assessment_essays_rank", table_name="assessment_essays")
    op.drop_table("pair_queue")
