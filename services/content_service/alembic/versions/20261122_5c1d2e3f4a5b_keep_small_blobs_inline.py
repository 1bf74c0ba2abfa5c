"""keep small blobs inline in the heap page

A 4 KiB essay text is over PostgreSQL's default TOAST threshold (~2 KiB), so it was moved out
of line and every read paid a TOAST index lookup and a second heap fetch. Storage MAIN with a
larger toast_tuple_target keeps rows up to ~8 KiB inline; big uploads still go out of line.

Revision ID: 5c1d2e3f4a5b
Revises: 38886330f57e
Create Date: 2026-11-22 01:52:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1d2e3f4a5b"
down_revision: str | None = "38886330f57e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE blobs ALTER COLUMN data SET STORAGE MAIN")
    op.execute("ALTER TABLE blobs SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    op.execute("ALTER TABLE blobs RESET (toast_tuple_target)")
    op.execute("ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTENDED")
