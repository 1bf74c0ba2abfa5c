"""Creating and dropping the messaging tables inside a service's Alembic migration.

The outbox, inbox (``processed_requests``) and job tables are defined once, in
``service_kit.messaging.tables``; each service's migration creates the ones it uses with
``create_messaging_tables(...)`` rather than a copy of their columns.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Enum, Table

from service_kit.db import make_metadata
from service_kit.messaging.tables import messaging_tables

ALL = ("outbox", "processed_requests", "jobs")
_ENUMS = {"outbox": "outbox_status", "jobs": "job_status"}


def _tables() -> dict[str, Table]:
    tables = messaging_tables(make_metadata())
    return {t.name: t for t in (tables.outbox, tables.processed_requests, tables.jobs)}


def create_messaging_tables(*names: str) -> None:
    """Create the named tables (default: all three) with their indexes and enum types."""
    tables = _tables()
    for name in names or ALL:
        tables[name].create(op.get_bind())


def drop_messaging_tables(*names: str) -> None:
    tables = _tables()
    for name in reversed(names or ALL):
        tables[name].drop(op.get_bind())
        if name in _ENUMS:
            Enum(name=_ENUMS[name]).drop(op.get_bind(), checkfirst=True)
