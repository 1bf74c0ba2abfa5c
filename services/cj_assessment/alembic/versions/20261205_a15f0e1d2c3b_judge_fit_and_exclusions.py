"""judge fit with uncertainty, discrimination and position bias; judges left out by a teacher

Revision ID: a15f0e1d2c3b
Revises: 9c267830ec98
Create Date: 2026-12-05 16:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a15f0e1d2c3b"
down_revision: str | None = "9c267830ec98"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JUDGE_FLOATS = (
    "infit_se",
    "outfit_se",
    "discrimination",
    "discrimination_se",
    "position_bias",
    "position_bias_se",
)


def upgrade() -> None:
    for name in ("excluded_judges", "kept_judges"):
        op.add_column(
            "assessments",
            sa.Column(
                name,
                sa.ARRAY(sa.String(length=128)),
                server_default=sa.text("'{}'"),
                nullable=False,
            ),
        )
    op.add_column("judges", sa.Column("degenerate", sa.Text(), nullable=True))
    for name in _JUDGE_FLOATS:
        op.add_column("judges", sa.Column(name, sa.Float(), nullable=True))
    op.add_column(
        "judges",
        sa.Column("misfit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("judges", "misfit")
    for name in reversed(_JUDGE_FLOATS):
        op.drop_column("judges", name)
    op.drop_column("judges", "degenerate")
    op.drop_column("assessments", "kept_judges")
    op.drop_column("assessments", "excluded_judges")
