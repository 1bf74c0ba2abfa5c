"""batch_orchestrator storage in memory: the same contract, for unit tests."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from service_kit.errors import Conflict
from services.batch_orchestrator.domain import (
    Batch,
    BatchStatus,
    EssayResult,
    PhaseAttempt,
    Snapshot,
    StatusChange,
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
        chosen = sorted(
            (
                b
                for b in self._store.batches.values()
                if (owner is None or b.owner == owner)
                and (status is None or b.status is status)
                and (after is None or (b.created_at, b.id) > after)
            ),
            key=lambda b: (b.created_at, b.id),
        )
        return chosen[:limit]

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


class MemoryOrchestratorUnitOfWork:
    """Rolls back unless committed, by restoring the snapshot taken on entry."""

    def __init__(self, store: MemoryOrchestratorStore) -> None:
        self._store = store
        self.batches = MemoryBatchRepository(store)
        self.phases = MemoryPhaseRepository(store)
        self.results = MemoryResultRepository(store)
        self._snapshot: dict[str, Any] | None = None

    def _copy(self) -> dict[str, Any]:
        return {
            name: (list(value) if isinstance(value, list) else dict(value))
            for name, value in vars(self._store).items()
        }

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        self._store.calls.setdefault(idempotency_key, (method, url, body))

    async def __aenter__(self) -> Self:
        self._snapshot = self._copy()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self._snapshot = self._copy()

    async def rollback(self) -> None:
        if self._snapshot is not None:
            for name, value in self._snapshot.items():
                setattr(self._store, name, list(value) if isinstance(value, list) else dict(value))
