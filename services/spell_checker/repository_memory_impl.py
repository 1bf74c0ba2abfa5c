"""spell_checker storage in memory: the same contract, for unit tests."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service_kit.memory import MemoryUnitOfWork
from services.spell_checker.domain import SpellcheckJob, SpellcheckStatus, StoredCorrection
from services.spell_checker.protocols import StoredAnswer


@dataclass
class MemorySpellcheckStore:
    jobs: dict[uuid.UUID, SpellcheckJob] = field(default_factory=dict)
    corrections: dict[tuple[uuid.UUID, int], StoredCorrection] = field(default_factory=dict)
    answers: dict[tuple[str, str], StoredAnswer | None] = field(default_factory=dict)
    calls: dict[str, tuple[str, str, Any]] = field(default_factory=dict)  # the outbox, by key
    queued: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # by dedup key


class MemorySpellcheckJobRepository:
    def __init__(self, store: MemorySpellcheckStore) -> None:
        self._store = store

    async def add_or_get(self, job: SpellcheckJob) -> tuple[SpellcheckJob, bool]:
        for stored in self._store.jobs.values():
            if (stored.essay_id, stored.content_id) == (job.essay_id, job.content_id):
                return stored, False
        self._store.jobs[job.id] = job
        return job, True

    async def get(self, job_id: uuid.UUID) -> SpellcheckJob | None:
        return self._store.jobs.get(job_id)

    async def update(self, job: SpellcheckJob) -> None:
        self._store.jobs[job.id] = job

    async def start(self, job_id: uuid.UUID, run: int, at: datetime) -> SpellcheckJob | None:
        job = self._store.jobs.get(job_id)
        if job is None or job.run != run or job.status.finished:
            return None
        started = dataclasses.replace(
            job, status=SpellcheckStatus.RUNNING, started_at=job.started_at or at
        )
        self._store.jobs[job_id] = started
        return started

    async def finish(self, job: SpellcheckJob, corrections: list[StoredCorrection]) -> str | None:
        current = self._store.jobs.get(job.id)
        if current is None or current.run != job.run or current.status.finished:
            return None
        self._store.jobs[job.id] = dataclasses.replace(
            job,
            essay_id=current.essay_id,
            content_id=current.content_id,
            queued_at=current.queued_at,
            callback_url=current.callback_url,
        )
        for correction in corrections:
            key = (correction.job_id, correction.position)
            assert key not in self._store.corrections, "a correction row written twice"
            self._store.corrections[key] = correction
        return current.callback_url

    async def corrections(
        self, job_id: uuid.UUID, *, after: int | None, limit: int
    ) -> list[StoredCorrection]:
        found = sorted(
            (
                c
                for (jid, position), c in self._store.corrections.items()
                if jid == job_id and (after is None or position > after)
            ),
            key=lambda c: c.position,
        )
        return found[:limit]


class MemorySpellcheckUnitOfWork(MemoryUnitOfWork[MemorySpellcheckStore]):
    def __init__(self, store: MemorySpellcheckStore) -> None:
        super().__init__(store)
        self.jobs = MemorySpellcheckJobRepository(store)

    async def replay(self, idempotency_key: str, scope: str) -> StoredAnswer | None:
        key = (idempotency_key, scope)
        if key not in self.store.answers:
            self.store.answers[key] = None
            return None
        return self.store.answers[key]

    async def remember(self, idempotency_key: str, scope: str, status_code: int, body: Any) -> None:
        self.store.answers[(idempotency_key, scope)] = StoredAnswer(status_code, body)

    async def schedule(
        self, kind: str, payload: dict[str, Any], dedup_key: str, max_attempts: int
    ) -> None:
        self.store.queued.setdefault(dedup_key, (kind, payload))
