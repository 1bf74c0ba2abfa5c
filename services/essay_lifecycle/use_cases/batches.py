"""Batches: the orchestrator registers one and may cancel it; anyone reads its summary."""

from __future__ import annotations

from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import NotFound
from services.essay_lifecycle.domain import (
    ACTIVE,
    TERMINAL,
    Batch,
    BatchSummary,
    Event,
    Phase,
    apply,
)
from services.essay_lifecycle.protocols import EssayUnitOfWork
from services.essay_lifecycle.use_cases.phase_outcomes import count_out
from services.essay_lifecycle.use_cases.transitions import save


@dataclass(frozen=True, slots=True)
class RegisterBatchCommand:
    batch_id: str
    language: str
    callback_url: str
    expected_essay_count: int | None = None


class RegisterBatch:
    """The orchestrator registers a batch (a repeat updates language, callback and count);
    essays announced before it take its language."""

    def __init__(self, uow: EssayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: RegisterBatchCommand) -> Batch:
        batch = Batch(
            command.batch_id,
            command.language,
            command.expected_essay_count,
            command.callback_url,
            created_at=self._clock.now(),
        )
        async with self._uow as uow:
            await uow.batches.register(batch)
            stored = await uow.batches.get(batch.id)
            await uow.commit()
        assert stored is not None
        return stored


@dataclass(frozen=True, slots=True)
class CancelBatchCommand:
    batch_id: str
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class CancelBatchResult:
    batch_id: str
    cancelled: int


class CancelBatch:
    """Every essay not yet final is cancelled; runs this finishes report their outcome."""

    def __init__(self, uow: EssayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: CancelBatchCommand) -> CancelBatchResult:
        batch_id, now = command.batch_id, self._clock.now()
        async with self._uow as uow:
            if await uow.batches.get(batch_id) is None:
                raise NotFound(f"no batch {batch_id}")
            essays = await uow.essays.in_batch(batch_id, for_update=True)
            closed: dict[tuple[Phase, int], int] = {}
            for essay in essays:
                if essay.status in TERMINAL:
                    continue
                if essay.phase is not None and essay.status in ACTIVE[essay.phase]:
                    key = (essay.phase, essay.phase_attempt or 0)
                    closed[key] = closed.get(key, 0) + 1
                cancelled = apply(
                    essay,
                    Event.CANCEL,
                    at=now,
                    details={"reason": "batch cancelled"},
                    correlation_id=command.correlation_id,
                )
                await save(uow, cancelled)
            for (phase, attempt), count in sorted(closed.items(), key=lambda item: str(item[0])):
                run = await uow.runs.get(batch_id, phase, attempt)
                if run is not None:
                    await count_out(uow, run, count, now)
            await uow.commit()
        return CancelBatchResult(batch_id, sum(1 for e in essays if e.status not in TERMINAL))


@dataclass(frozen=True, slots=True)
class GetBatchSummaryCommand:
    batch_id: str


class GetBatchSummary:
    """Essays by status, how much is final, and each phase attempt's progress."""

    def __init__(self, uow: EssayUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetBatchSummaryCommand) -> BatchSummary:
        batch_id = command.batch_id
        async with self._uow as uow:
            batch = await uow.batches.get(batch_id)
            if batch is None:
                raise NotFound(f"no batch {batch_id}")
            counts = await uow.essays.count_by_status(batch_id)
            runs = await uow.runs.for_batch(batch_id)
            phases = []
            for run in runs:
                members = await uow.essays.in_run(batch_id, run.phase, run.attempt)
                done = sum(1 for e in members if e.status not in ACTIVE[run.phase])
                phases.append(
                    {
                        "phase": run.phase.value,
                        "attempt": run.attempt,
                        "status": run.status.value,
                        "essays": run.essay_count,
                        "finished": done,
                    }
                )
        return BatchSummary(
            batch_id=batch_id,
            total=sum(counts.values()),
            by_status={status.value: n for status, n in counts.items()},
            terminal=sum(n for status, n in counts.items() if status in TERMINAL),
            expected_essay_count=batch.expected_essay_count,
            phases=phases,
        )
