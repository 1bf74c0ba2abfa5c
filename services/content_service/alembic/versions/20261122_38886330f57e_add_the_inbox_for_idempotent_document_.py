"""add the inbox for idempotent document creation

Revision ID: 38886330f57e
Revises: 76fd812ed473
Create Date: 2026-11-22 00:33:46.976752+00:00
"""

from collections.abc import Sequence

from service_kit.messaging.migration import create_messaging_tables, drop_messaging_tables

revision: str = "38886330f57e"
down_revision: str | None = "76fd812ed473"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables("processed_requests")


def downgrade() -> None:
    drop_messaging_tables("processed_requests")
