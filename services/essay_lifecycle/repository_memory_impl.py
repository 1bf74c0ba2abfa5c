"""essay_lifecycle storage in memory: the same contract, for unit tests."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service_kit.errors import Conflict
from service_kit.memory import MemoryUnitOfWork
from service_kit.pagination import keyset_page_of
from services.essay_lifecycle.domain import (
    Batch,
    Essay,
    EssayStatus,
    Phase,
    PhaseRun,
    PhaseRunStatus,
    TimelineEvent,
    Transition,
)


@dataclass
class MemoryEssayStore:
    essays: dict[uuid.UUID, Essay] = field(default_factory=dict)
    events: list[TimelineEvent] = field(default_factory=list)
    batches: dict[str, Batch] = field(default_factory=dict)
    runs: dict[tuple[str, Phase, int], PhaseRun] = field(default_factory=dict)
    calls: dict[str, tuple[str, str, Any]] = field(default_factory=dict)  # the outbox, by key


class MemoryEssayRepository:
    def __init__(self, store: MemoryEssayStore) -> None:
        self._store = store

    async def add(self, created: Transition) -> bool:
        essay = created.essay
        if any(
            e.batch_id == essay.batch_id and e.file_id == essay.file_id
            for e in self._store.essays.values()
        ):
            return False
        self._store.essays[essay.id] = essay
        self._store.events.append(created.event)
        return True

    async def get(self, essay_id: uuid.UUID, *, for_update: bool = False) -> Essay | None:
        return self._store.essays.get(essay_id)

    async def by_file(
        self, batch_id: str, file_id: str, *, for_update: bool = False
    ) -> Essay | None:
        return next(
            (
                e
                for e in self._store.essays.values()
                if e.batch_id == batch_id and e.file_id == file_id
            ),
            None,
        )

    async def save(self, transition: Transition) -> None:
        essay = transition.essay
        current = self._store.essays[essay.id]
        if current.version != essay.version - 1:
            raise Conflict(f"essay {essay.id} changed while this request was applied")
        self._store.essays[essay.id] = essay
        self._store.events.append(transition.event)

    async def in_batch(
        self,
        batch_id: str,
        *,
        statuses: tuple[EssayStatus, ...] | None = None,
        ids: list[uuid.UUID] | None = None,
        for_update: bool = False,
    ) -> list[Essay]:
        return sorted(
            (
                e
                for e in self._store.essays.values()
                if e.batch_id == batch_id
                and (statuses is None or e.status in statuses)
                and (ids is None or e.id in ids)
            ),
            key=lambda e: e.id,
        )

    async def in_run(self, batch_id: str, phase: Phase, attempt: int) -> list[Essay]:
        return [
            e
            for e in await self.in_batch(batch_id)
            if e.phase is phase and e.phase_attempt == attempt
        ]

    async def page(
        self,
        batch_id: str,
        *,
        status: EssayStatus | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[Essay]:
        return keyset_page_of(
            (
                e
                for e in self._store.essays.values()
                if e.batch_id == batch_id and (status is None or e.status is status)
            ),
            lambda e: (e.created_at, e.id),
            after,
            limit,
        )

    async def timeline(self, essay_id: uuid.UUID) -> list[TimelineEvent]:
        return sorted(
            (e for e in self._store.events if e.essay_id == essay_id), key=lambda e: e.sequence
        )

    async def count_by_status(self, batch_id: str) -> dict[EssayStatus, int]:
        counts: dict[EssayStatus, int] = {}
        for essay in self._store.essays.values():
            if essay.batch_id == batch_id:
                counts[essay.status] = counts.get(essay.status, 0) + 1
        return counts


class MemoryBatchRepository:
    def __init__(self, store: MemoryEssayStore) -> None:
        self._store = store

    async def ensure(self, batch_id: str, at: datetime) -> None:
        self._store.batches.setdefault(batch_id, Batch(batch_id, created_at=at))

    async def register(self, batch: Batch) -> None:
        existing = self._store.batches.get(batch.id)
        created = existing.created_at if existing else batch.created_at
        self._store.batches[batch.id] = dataclasses.replace(batch, created_at=created)
        for essay in list(self._store.essays.values()):
            if essay.batch_id == batch.id and essay.language is None:
                self._store.essays[essay.id] = dataclasses.replace(essay, language=batch.language)

    async def get(self, batch_id: str) -> Batch | None:
        return self._store.batches.get(batch_id)


class MemoryPhaseRunRepository:
    def __init__(self, store: MemoryEssayStore) -> None:
        self._store = store

    async def add(self, run: PhaseRun) -> bool:
        key = (run.batch_id, run.phase, run.attempt)
        if key in self._store.runs:
            return False
        self._store.runs[key] = run
        return True

    async def get(self, batch_id: str, phase: Phase, attempt: int) -> PhaseRun | None:
        return self._store.runs.get((batch_id, phase, attempt))

    async def close(self, run: PhaseRun, essays: int) -> int | None:
        key = (run.batch_id, run.phase, run.attempt)
        remaining = self._store.runs[key].counted_out(essays)
        if remaining is not None:
            self._store.runs[key] = dataclasses.replace(
                self._store.runs[key], open_essays=remaining
            )
        return remaining

    async def mark_reported(self, run: PhaseRun, at: datetime) -> bool:
        key = (run.batch_id, run.phase, run.attempt)
        current = self._store.runs[key]
        if current.status is not PhaseRunStatus.RUNNING:
            return False
        self._store.runs[key] = dataclasses.replace(
            current, status=PhaseRunStatus.REPORTED, reported_at=at
        )
        return True

    async def set_counts(self, run: PhaseRun, essay_count: int, open_essays: int) -> None:
        key = (run.batch_id, run.phase, run.attempt)
        self._store.runs[key] = dataclasses.replace(
            self._store.runs[key], essay_count=essay_count, open_essays=open_essays
        )

    async def for_batch(self, batch_id: str) -> list[PhaseRun]:
        return sorted(
            (r for r in self._store.runs.values() if r.batch_id == batch_id),
            key=lambda r: r.created_at,
        )


class MemoryEssayUnitOfWork(MemoryUnitOfWork[MemoryEssayStore]):
    def __init__(self, store: MemoryEssayStore) -> None:
        super().__init__(store)
        self.essays = MemoryEssayRepository(store)
        self.batches = MemoryBatchRepository(store)
        self.runs = MemoryPhaseRunRepository(store)


class MemoryEssaySettler:
    """The callback's fast path in memory: written straight into the store, as the SQL
    statement is its own transaction outside any unit of work."""

    def __init__(self, store: MemoryEssayStore) -> None:
        self.store = store

    async def essay_with_run(
        self, essay_id: uuid.UUID, phase: Phase, attempt: int
    ) -> tuple[Essay | None, PhaseRun | None]:
        essay = self.store.essays.get(essay_id)
        if essay is None:
            return None, None
        return essay, self.store.runs.get((essay.batch_id, phase, attempt))

    async def settle(
        self, before: Essay, transitions: Sequence[Transition], run: PhaseRun
    ) -> int | None:
        key = (run.batch_id, run.phase, run.attempt)
        current_run = self.store.runs.get(key)
        current = self.store.essays.get(before.id)
        if (
            current is None
            or current.version != before.version
            or current_run is None
            or not current_run.settles_alone()
        ):
            return None
        after = transitions[-1].essay
        # only what the transitions changed, as in SQL: another column's change stays
        changed = {
            f.name: getattr(after, f.name)
            for f in dataclasses.fields(after)
            if getattr(after, f.name) != getattr(before, f.name)
        }
        self.store.essays[before.id] = dataclasses.replace(current, **changed)
        self.store.events.extend(t.event for t in transitions)
        remaining = current_run.counted_out(1)
        assert remaining is not None  # settles_alone: the run is running
        self.store.runs[key] = dataclasses.replace(current_run, open_essays=remaining)
        return remaining
