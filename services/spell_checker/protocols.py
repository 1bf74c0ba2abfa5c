"""The contracts spell_checker's use cases hold their adapters to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from service_kit.unit_of_work import OutboxUnitOfWork
from services.spell_checker.domain import SpellcheckJob, StoredCorrection


class SpellcheckJobRepository(Protocol):
    async def add_or_get(self, job: SpellcheckJob) -> tuple[SpellcheckJob, bool]:
        """Insert the job unless its (essay_id, content_id) already has one; either way
        return the stored job, locked until the transaction ends, and whether it is new."""
        ...

    async def get(self, job_id: uuid.UUID) -> SpellcheckJob | None: ...

    async def update(self, job: SpellcheckJob) -> None:
        """Write a job read (locked) in this transaction back with its changes."""
        ...

    async def start(self, job_id: uuid.UUID, run: int, at: datetime) -> SpellcheckJob | None:
        """Mark that run of the job running (the first start time is kept); None when the
        job has moved on: finished, or asked for again under a newer run."""
        ...

    async def finish(self, job: SpellcheckJob, corrections: list[StoredCorrection]) -> str | None:
        """Record the run's outcome and its corrections and return the callback URL it goes
        to (the latest asked for, which may have changed while the run went on); None
        (nothing written) when that run already has an outcome or is no longer current."""
        ...

    async def corrections(
        self, job_id: uuid.UUID, *, after: int | None, limit: int
    ) -> list[StoredCorrection]: ...


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: Any


class SpellcheckUnitOfWork(OutboxUnitOfWork, Protocol):
    """Repository, inbox, outbox and job queue in one transaction, rolled back unless
    committed."""

    @property
    def jobs(self) -> SpellcheckJobRepository: ...

    async def replay(self, idempotency_key: str, scope: str) -> StoredAnswer | None:
        """None: this request owns the key, go ahead. Otherwise the first answer."""
        ...

    async def remember(
        self, idempotency_key: str, scope: str, status_code: int, body: Any
    ) -> None: ...

    async def schedule(
        self, kind: str, payload: dict[str, Any], dedup_key: str, max_attempts: int
    ) -> None:
        """Run this job once the transaction commits (the job queue)."""
        ...


class ContentStore(Protocol):
    """content_service, as spell_checker needs it. Raises ContentMissing (no such content),
    ContentUnavailable (retry later) or ContentRefused (never accepted)."""

    async def fetch_text(self, content_id: str) -> str: ...

    async def store_corrected_text(
        self, job: SpellcheckJob, text: str, idempotency_key: str
    ) -> str:
        """Returns the stored content id of the corrected text."""
        ...
