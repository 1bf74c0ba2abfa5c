"""EDGE's table beyond the ones models_db.py declares: who owns each batch (migration 0002)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.api_gateway.models_db import Base


class BatchOwnerRow(Base):
    """``batch_id -> owner``: recorded when a batch is created through the gateway, or learnt
    once from batch_orchestrator. Never changes."""

    __tablename__ = "batch_owners"
    __table_args__ = (Index("ix_batch_owners_owner_id", "owner_id"),)

    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
