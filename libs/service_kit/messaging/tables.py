"""The outbox, inbox and job tables: defined once here, created by each service's migration.

A service calls ``messaging_tables(Base.metadata)`` in its models_db.py so Alembic's
autogenerate sees the tables in that service's own metadata.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Enum,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def _values(kind: type[enum.Enum]) -> list[str]:
    return [member.value for member in kind]


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    processed_requests: Table
    jobs: Table


_NOW = text("now()")


def messaging_tables(metadata: MetaData) -> MessagingTables:
    return MessagingTables(
        outbox_table(metadata), processed_requests_table(metadata), jobs_table(metadata)
    )


def outbox_table(metadata: MetaData) -> Table:
    now = _NOW
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("method", String(10), nullable=False),
        Column("url", Text, nullable=False),
        Column("body", JSONB),
        Column("idempotency_key", String(255), nullable=False, unique=True),
        Column("correlation_id", String(128)),
        Column(
            "status",
            Enum(OutboxStatus, name="outbox_status", values_callable=_values),
            nullable=False,
            server_default=OutboxStatus.PENDING.value,
        ),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=now),
        Column("last_error", Text),
        Column("last_status", Integer),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=now),
        Column("delivered_at", DateTime(timezone=True)),
        Index(
            "ix_outbox_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )


def processed_requests_table(metadata: MetaData) -> Table:
    """The inbox alone, for a service that receives idempotent calls but sends none."""
    now = _NOW
    return Table(
        "processed_requests",
        metadata,
        Column("idempotency_key", String(255), primary_key=True),
        Column("scope", String(255), primary_key=True),
        Column("status_code", Integer),
        Column("response", JSONB),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=now),
    )


def jobs_table(metadata: MetaData) -> Table:
    now = _NOW
    return Table(
        "jobs",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("kind", String(64), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("dedup_key", String(255), unique=True),
        Column(
            "status",
            Enum(JobStatus, name="job_status", values_callable=_values),
            nullable=False,
            server_default=JobStatus.QUEUED.value,
        ),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("max_attempts", Integer, nullable=False, server_default=text("5")),
        Column("run_after", DateTime(timezone=True), nullable=False, server_default=now),
        Column("lease_expires_at", DateTime(timezone=True)),
        Column("worker_id", String(64)),
        Column("last_error", Text),
        Column("correlation_id", String(128)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=now),
        Column("finished_at", DateTime(timezone=True)),
        Index("ix_jobs_claimable", "status", "run_after"),
    )
