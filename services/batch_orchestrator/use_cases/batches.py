"""A batch's own life: create it, read it (one, a page, its history, file_service's gate),
cancel it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from contracts.batches import BatchIn as Registration
from contracts.batches import CjSettings, SpellcheckSettings
from service_kit.clock import Clock
from service_kit.errors import Conflict
from service_kit.pagination import clamp_limit, page, position_after
from services.batch_orchestrator import metrics
from services.batch_orchestrator.config import Peers
from services.batch_orchestrator.domain import (
    FINISHED,
    OPEN_PHASE,
    Batch,
    BatchStatus,
    EssaySummary,
    PhaseAttempt,
    PhaseState,
    StatusChange,
    batch_settings,
    resolve_pipeline,
    visible,
)
from services.batch_orchestrator.protocols import EssayCounts, OrchestratorUnitOfWork
from services.batch_orchestrator.use_cases.transitions import move_batch, move_phase


@dataclass(frozen=True)
class BatchView:
    """A batch with its phase attempts and, when asked, essay_lifecycle's summary of its
    essays (``degraded`` when essay_lifecycle could not give it)."""

    batch: Batch
    phases: list[PhaseAttempt] = field(default_factory=list)
    essays: EssaySummary | None = None
    degraded: bool = False


@dataclass(frozen=True, slots=True)
class CreateBatchCommand:
    owner: str
    name: str
    language: Literal["en", "sv", "auto"]
    pipeline: str | list[str]
    expected_essay_count: int | None
    spellcheck: SpellcheckSettings
    cj: CjSettings | None = None


class CreateBatch:
    """The batch row, attempt 1 of each phase, the first log entry and essay_lifecycle's
    registration: one commit."""

    def __init__(self, uow: OrchestratorUnitOfWork, peers: Peers, clock: Clock) -> None:
        self._uow = uow
        self._peers = peers
        self._clock = clock

    async def execute(self, command: CreateBatchCommand) -> BatchView:
        pipeline = resolve_pipeline(command.pipeline)
        at = self._clock.now()
        batch = Batch(
            id=uuid.uuid4().hex,
            name=command.name,
            owner=command.owner,
            language=command.language,
            status=BatchStatus.AWAITING_CONTENT,
            pipeline=pipeline,
            expected_essay_count=command.expected_essay_count,
            settings=batch_settings(pipeline, command.spellcheck, command.cj),
            created_at=at,
            updated_at=at,
        )
        attempts = [PhaseAttempt(batch.id, phase, 1, PhaseState.PENDING) for phase in pipeline]
        uow = self._uow
        async with uow:
            await uow.batches.add(batch)
            await uow.batches.log(
                StatusChange(
                    batch.id,
                    None,
                    None,
                    None,
                    batch.status.value,
                    {"pipeline": list(pipeline)},
                    at=at,
                )
            )
            for attempt in attempts:
                await uow.phases.add(attempt)
            registration = Registration(
                batch_id=batch.id,
                language=command.language,
                callback_url=self._peers.self_url,
                expected_essay_count=batch.expected_essay_count,
            )
            await uow.call_peer(
                "POST",
                f"{self._peers.essay_lifecycle_url}/internal/v1/batches",
                registration.model_dump(mode="json"),
                f"register:{batch.id}",
            )
            await uow.commit()
        metrics.BATCHES.labels("created").inc()
        return BatchView(batch, attempts)


@dataclass(frozen=True, slots=True)
class GetBatchCommand:
    batch_id: str
    caller: str | None


class GetBatch:
    """The batch, every phase attempt, and essay_lifecycle's summary of its essays (the
    answer comes without it, ``degraded``, when essay_lifecycle cannot say in time)."""

    def __init__(self, uow: OrchestratorUnitOfWork, counts: EssayCounts) -> None:
        self._uow = uow
        self._counts = counts

    async def execute(self, command: GetBatchCommand) -> BatchView:
        async with self._uow as uow:
            batch = visible(
                await uow.batches.get(command.batch_id), command.batch_id, command.caller
            )
            phases = await uow.phases.all(command.batch_id)
        essays = await self._counts.summary(command.batch_id)
        return BatchView(batch, phases, essays, degraded=essays is None)


@dataclass(frozen=True, slots=True)
class ListBatchesCommand:
    caller: str | None
    owner: str | None
    status: BatchStatus | None
    limit: int | None
    cursor: str | None


@dataclass(frozen=True)
class ListBatchesResult:
    batches: list[Batch]
    next_cursor: str | None


class ListBatches:
    """A page of batches in creation order; a teacher sees only their own."""

    def __init__(self, uow: OrchestratorUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListBatchesCommand) -> ListBatchesResult:
        limit = clamp_limit(command.limit)
        owner = command.caller if command.caller is not None else command.owner
        after = position_after(command.cursor)
        async with self._uow as uow:
            found = await uow.batches.page(
                owner=owner,
                status=command.status,
                after=(after[0], after[1].hex) if after else None,
                limit=limit + 1,
            )
        shown, cursor = page(found, limit, lambda b: (b.created_at, uuid.UUID(b.id)))
        return ListBatchesResult(shown, cursor)


@dataclass(frozen=True, slots=True)
class GetBatchHistoryCommand:
    batch_id: str
    caller: str | None


class GetBatchHistory:
    """Every status change of the batch and of its phase attempts, oldest first."""

    def __init__(self, uow: OrchestratorUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetBatchHistoryCommand) -> list[StatusChange]:
        async with self._uow as uow:
            visible(await uow.batches.get(command.batch_id), command.batch_id, command.caller)
            return await uow.batches.history(command.batch_id)


@dataclass(frozen=True, slots=True)
class GetBatchGateCommand:
    batch_id: str


class GetBatchGate:
    """file_service's gate: whether the batch's pipeline has started (then it takes no
    more files)."""

    def __init__(self, uow: OrchestratorUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetBatchGateCommand) -> Batch:
        async with self._uow as uow:
            return visible(await uow.batches.get(command.batch_id), command.batch_id, None)


@dataclass(frozen=True, slots=True)
class CancelBatchCommand:
    batch_id: str
    caller: str | None


class CancelBatch:
    """Cancel the batch and its open phase attempts; essay_lifecycle is told when the
    pipeline had started. A finished batch cannot be cancelled."""

    def __init__(self, uow: OrchestratorUnitOfWork, peers: Peers, clock: Clock) -> None:
        self._uow = uow
        self._peers = peers
        self._clock = clock

    async def execute(self, command: CancelBatchCommand) -> Batch:
        at = self._clock.now()
        batch_id = command.batch_id
        async with self._uow as uow:
            batch = visible(
                await uow.batches.get(batch_id, for_update=True), batch_id, command.caller
            )
            if batch.status in FINISHED:
                raise Conflict(
                    f"batch {batch_id} is already {batch.status.value}",
                    current_status=batch.status.value,
                )
            started = batch.pipeline_started
            batch = await move_batch(uow, batch, BatchStatus.CANCELLED, at)
            for attempt in await uow.phases.all(batch_id):
                if attempt.status in OPEN_PHASE:
                    await move_phase(
                        uow, attempt, PhaseState.CANCELLED, OPEN_PHASE, at, finished_at=at
                    )
            if started:  # the cancel has no body (no contract model): the path says it all
                await uow.call_peer(
                    "POST",
                    f"{self._peers.essay_lifecycle_url}/internal/v1/batches/{batch_id}/cancel",
                    None,
                    f"cancel:{batch_id}",
                )
            await uow.commit()
        metrics.BATCHES.labels("cancelled").inc()
        return batch
