"""Batches: what the orchestrator registered, and the accounting of its essays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Batch:
    id: str
    language: str | None = None
    expected_essay_count: int | None = None
    callback_url: str | None = None
    created_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    total: int
    by_status: dict[str, int]
    terminal: int
    expected_essay_count: int | None
    phases: list[dict[str, Any]]

    @property
    def completion_percent(self) -> float:
        """Only terminal states count as done; the denominator is what we expect to see."""
        denominator = max(self.total, self.expected_essay_count or 0)
        return round(100.0 * self.terminal / denominator, 1) if denominator else 0.0
