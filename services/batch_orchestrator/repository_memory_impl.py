"""batch_orchestrator storage in memory: the same contract, for unit tests."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service_kit.errors import Conflict
from service_kit.memory import MemoryUnitOfWork
from service_kit.pagination import keyset_page_of
from services.batch_orchestrator.domain import (
    Batch,
    BatchStatus,
    EssayResult,
    PhaseAttempt,
    ResultPosition,
    Snapshot,
    StatusChange,
    result_position,
)


@dataclass
class MemoryOrchestratorStore:
    batches: dict[str, Batch] = field(default_factory=dict)
    snapshots: dict[Any, Snapshot] = field(default_factory=dict)
    log: list[StatusChange] = field(default_factory=list)
    phases: dict[tuple[str, str, int], PhaseAttempt] = field(default_factory=dict)
    results: dict[tuple[str, str], EssayResult] = field(default_factory=dict)
    calls: dict[str, tuple[str, str, Any]] = field(default_factory=dict)  # the outbox, by key


class MemoryBatchRepository:
    def __init__(self, store: MemoryOrchestratorStore) -> None:
        self._store = store

    async def add(self, batch: Batch) -> None:
        self._store.batches[batch.id] = batch

    async def get(self, batch_id: str, *, for_update: bool = False) -> Batch | None:
        return self._store.batches.get(batch_id)

    async def save(self, batch: Batch) -> None:
        if self._store.batches[batch.id].version != batch.version - 1:
            raise Conflict(f"batch {batch.id} changed while this request was applied")
        self._store.batches[batch.id] = batch

    async def page(
        self,
        *,
        owner: str | None,
        status: BatchStatus | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Batch]:
        return keyset_page_of(
            (
                b
                for b in self._store.batches.values()
                if (owner is None or b.owner == owner) and (status is None or b.status is status)
            ),
            lambda b: (b.created_at, b.id),
            after,
            limit,
        )

    async def add_snapshot(self, snapshot: Snapshot) -> None:
        self._store.snapshots[snapshot.id] = snapshot

    async def get_snapshot(self, batch: Batch) -> Snapshot | None:
        return self._store.snapshots.get(batch.snapshot_id)

    async def log(self, change: StatusChange) -> None:
        self._store.log.append(change)

    async def history(self, batch_id: str) -> list[StatusChange]:
        return [c for c in self._store.log if c.batch_id == batch_id]


class MemoryPhaseRepository:
    def __init__(self, store: MemoryOrchestratorStore) -> None:
        self._store = store

    async def add(self, attempt: PhaseAttempt) -> None:
        self._store.phases[(attempt.batch_id, attempt.phase, attempt.attempt)] = attempt

    async def all(self, batch_id: str) -> list[PhaseAttempt]:
        return sorted(
            (a for a in self._store.phases.values() if a.batch_id == batch_id),
            key=lambda a: (a.phase, a.attempt),
        )

    async def replace(self, attempt: PhaseAttempt, expected: frozenset[Any]) -> bool:
        key = (attempt.batch_id, attempt.phase, attempt.attempt)
        if self._store.phases[key].status not in expected:
            return False
        self._store.phases[key] = attempt
        return True


class MemoryResultRepository:
    def __init__(self, store: MemoryOrchestratorStore) -> None:
        self._store = store

    async def upsert(self, results: list[EssayResult]) -> None:
        for result in results:
            old = self._store.results.get((result.batch_id, result.essay_id))
            if old is not None:
                kept = {
                    name: getattr(old, name)
                    for name in (
                        "file_id",
                        "filename",
                        "spelling",
                        "corrected_text_content_id",
                        "assessment",
                    )
                    if getattr(result, name) is None
                }
                result = dataclasses.replace(result, **kept)
            self._store.results[(result.batch_id, result.essay_id)] = result

    async def for_batch(self, batch_id: str) -> list[EssayResult]:
        return sorted(
            (r for r in self._store.results.values() if r.batch_id == batch_id),
            key=lambda r: r.filename or "",
        )

    async def page(
        self, batch_id: str, *, after: ResultPosition | None, limit: int
    ) -> list[EssayResult]:
        found = sorted(
            (r for r in self._store.results.values() if r.batch_id == batch_id),
            key=result_position,
        )
        return [r for r in found if after is None or result_position(r) > after][:limit]

    async def count(self, batch_id: str) -> int:
        return sum(1 for r in self._store.results.values() if r.batch_id == batch_id)


class MemoryOrchestratorUnitOfWork(MemoryUnitOfWork[MemoryOrchestratorStore]):
    def __init__(self, store: MemoryOrchestratorStore) -> None:
        super().__init__(store)
        self.batches = MemoryBatchRepository(store)
        self.phases = MemoryPhaseRepository(store)
        self.results = MemoryResultRepository(store)
