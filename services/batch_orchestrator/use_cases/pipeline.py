"""Running a batch's pipeline: start it over every accepted file, retry a failed phase."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import Conflict, NotFound, PeerUnavailable
from services.batch_orchestrator import metrics
from services.batch_orchestrator.config import Peers
from services.batch_orchestrator.domain import (
    Batch,
    BatchStatus,
    PhaseAttempt,
    PhaseState,
    Snapshot,
    StatusChange,
    latest_attempt,
    start_refusal,
    visible,
)
from services.batch_orchestrator.protocols import EssayCounts, FileIntake, OrchestratorUnitOfWork
from services.batch_orchestrator.use_cases.transitions import command_phase, move_batch, move_phase

# How soon a start refused because a peer could not answer is worth trying again.
RETRY_AFTER_SECONDS = 5


def _not_started(batch: Batch) -> Batch:
    if batch.pipeline_started:
        raise Conflict(
            f"batch {batch.id} is already {batch.status.value}", current_status=batch.status.value
        )
    return batch


@dataclass(frozen=True, slots=True)
class StartPipelineCommand:
    batch_id: str
    caller: str | None


class StartPipeline:
    """Start only over every file the batch accepted: file_service seals the batch once each
    of its files has an outcome (no upload can slip in after), and essay_lifecycle must have
    heard of all of them; until then the start is refused with 409 and Retry-After. The
    peers are asked before the batch row is locked, never while it is."""

    def __init__(
        self,
        uow: OrchestratorUnitOfWork,
        counts: EssayCounts,
        intake: FileIntake,
        peers: Peers,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._counts = counts
        self._intake = intake
        self._peers = peers
        self._clock = clock

    async def execute(self, command: StartPipelineCommand) -> Batch:
        batch_id, caller = command.batch_id, command.caller
        async with self._uow as uow:
            _not_started(visible(await uow.batches.get(batch_id), batch_id, caller))
        files = await self._intake.seal(batch_id)
        if files is None:
            raise PeerUnavailable(
                "file_service cannot say which files the batch holds",
                retry_after=RETRY_AFTER_SECONDS,
            )
        summary = await self._counts.summary(batch_id)
        if summary is None:
            raise PeerUnavailable(
                "essay_lifecycle cannot say which essays are ready",
                retry_after=RETRY_AFTER_SECONDS,
            )
        ready, rejected = summary.ready, summary.rejected
        refusal = start_refusal(batch_id, files, ready + rejected)
        if refusal is not None:
            raise refusal
        at = self._clock.now()
        async with self._uow as uow:
            batch = _not_started(
                visible(await uow.batches.get(batch_id, for_update=True), batch_id, caller)
            )
            snapshot = Snapshot(uuid.uuid4(), batch.id, batch.snapshot_settings(), at)
            await uow.batches.add_snapshot(snapshot)
            if batch.status is BatchStatus.AWAITING_CONTENT:
                batch = await move_batch(
                    uow,
                    batch,
                    BatchStatus.READY,
                    at,
                    {"ready_essays": ready, "rejected_essays": rejected},
                )
            batch = await move_batch(
                uow,
                batch,
                BatchStatus.PROCESSING,
                at,
                snapshot_id=snapshot.id,
                # files that never became essays count against the batch's result at its end;
                # every accepted file must end in the results or among the rejected
                results_summary={
                    **batch.results_summary,
                    "rejected_essays": rejected,
                    "accepted_files": files.files,
                },
            )
            first = latest_attempt(await uow.phases.all(batch_id), batch.pipeline[0])
            dispatched = await move_phase(
                uow,
                first,
                PhaseState.DISPATCHED,
                frozenset({PhaseState.PENDING}),
                at,
                started_at=at,
            )
            assert dispatched is not None
            await command_phase(uow, self._peers, batch, dispatched, None, snapshot.settings)
            await uow.commit()
        return batch


@dataclass(frozen=True, slots=True)
class RetryPhaseCommand:
    batch_id: str
    phase: str
    caller: str | None


class RetryPhase:
    """A new attempt for the essays that failed the phase; the pipeline then continues."""

    def __init__(self, uow: OrchestratorUnitOfWork, peers: Peers, clock: Clock) -> None:
        self._uow = uow
        self._peers = peers
        self._clock = clock

    async def execute(self, command: RetryPhaseCommand) -> PhaseAttempt:
        batch_id, phase = command.batch_id, command.phase
        at = self._clock.now()
        async with self._uow as uow:
            batch = visible(
                await uow.batches.get(batch_id, for_update=True), batch_id, command.caller
            )
            if phase not in batch.pipeline:
                raise NotFound(f"batch {batch_id} has no phase {phase}")
            if batch.status not in (BatchStatus.FAILED, BatchStatus.COMPLETED_WITH_FAILURES):
                raise Conflict(
                    f"batch {batch_id} is {batch.status.value}; only a finished batch "
                    "with failures can retry a phase",
                    current_status=batch.status.value,
                )
            latest = latest_attempt(await uow.phases.all(batch_id), phase)
            results = await uow.results.for_batch(batch_id)
            if not any(r.status == f"{phase}_failed" for r in results):
                raise Conflict(
                    f"phase {phase} has no failed essays to retry",
                    phase_status=latest.status.value,
                )
            batch = await move_batch(uow, batch, BatchStatus.PROCESSING, at, {"retry": phase})
            attempt = PhaseAttempt(
                batch_id, phase, latest.attempt + 1, PhaseState.DISPATCHED, started_at=at
            )
            await uow.phases.add(attempt)
            await uow.batches.log(
                StatusChange(
                    batch_id,
                    phase,
                    attempt.attempt,
                    None,
                    PhaseState.DISPATCHED.value,
                    {"retry_of": latest.attempt},
                    at=at,
                )
            )
            snapshot = await uow.batches.get_snapshot(batch)
            await command_phase(
                uow, self._peers, batch, attempt, None, snapshot.settings if snapshot else {}
            )
            await uow.commit()
        metrics.RETRIES.labels(phase).inc()
        return attempt
