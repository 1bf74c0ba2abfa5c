"""essay_lifecycle's report of a phase attempt: record it, then run the next phase or end
the batch."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from service_kit.clock import Clock
from service_kit.errors import NotFound
from services.batch_orchestrator import metrics
from services.batch_orchestrator.config import Peers
from services.batch_orchestrator.domain import (
    RUNNING_PHASE,
    Batch,
    BatchStatus,
    Outcome,
    PhaseAttempt,
    PhaseState,
    StatusChange,
    batch_end,
    latest_attempt,
)
from services.batch_orchestrator.protocols import OrchestratorUnitOfWork
from services.batch_orchestrator.use_cases.transitions import command_phase, move_batch, move_phase


@dataclass(frozen=True, slots=True)
class ApplyPhaseOutcomeCommand:
    batch_id: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class ApplyPhaseOutcomeResult:
    """``applied`` is False for a late or repeated outcome, which changed nothing."""

    applied: bool


class ApplyPhaseOutcome:
    """Compare-and-set on the phase attempt: a late or repeated outcome changes nothing.
    Then the next phase starts with the essays that succeeded, or the batch finishes."""

    def __init__(self, uow: OrchestratorUnitOfWork, peers: Peers, clock: Clock) -> None:
        self._uow = uow
        self._peers = peers
        self._clock = clock

    async def execute(self, command: ApplyPhaseOutcomeCommand) -> ApplyPhaseOutcomeResult:
        batch_id, outcome = command.batch_id, command.outcome
        at = self._clock.now()
        async with self._uow as uow:
            batch = await uow.batches.get(batch_id, for_update=True)
            if batch is None:
                raise NotFound(f"no batch {batch_id}")
            attempts = await uow.phases.all(batch_id)
            current = next(
                (a for a in attempts if a.phase == outcome.phase and a.attempt == outcome.attempt),
                None,
            )
            if current is None or current.status not in RUNNING_PHASE:
                return ApplyPhaseOutcomeResult(applied=False)
            finished = await move_phase(
                uow,
                current,
                outcome.phase_state,
                RUNNING_PHASE,
                at,
                {"succeeded": len(outcome.succeeded), "failed": len(outcome.failed)},
                essays=len(outcome.succeeded) + len(outcome.failed),
                succeeded=len(outcome.succeeded),
                failed=len(outcome.failed),
                finished_at=at,
            )
            if finished is None:
                return ApplyPhaseOutcomeResult(applied=False)
            await uow.results.upsert(outcome.essay_results(batch_id, at))
            if outcome.summary:
                batch = replace(
                    batch,
                    results_summary={**batch.results_summary, outcome.phase: outcome.summary},
                )
            if batch.status is not BatchStatus.PROCESSING:
                # cancelled meanwhile: the results are kept, nothing more starts
                await uow.batches.save(replace(batch, version=batch.version + 1))
            elif (following := batch.phase_after(outcome)) is not None:
                await self._run_next(uow, batch, following, outcome.succeeded, at)
            else:
                await self._end(uow, batch, at)
            await uow.commit()
        return ApplyPhaseOutcomeResult(applied=True)

    async def _run_next(
        self,
        uow: OrchestratorUnitOfWork,
        batch: Batch,
        phase: str,
        essay_ids: list[str],
        at: datetime,
    ) -> None:
        """The next phase over ``essay_ids``: its pending attempt, or a new one when an
        earlier attempt already ran (after a retry of an earlier phase)."""
        latest = latest_attempt(await uow.phases.all(batch.id), phase)
        nxt: PhaseAttempt | None
        if latest.status is PhaseState.PENDING:
            nxt = await move_phase(
                uow,
                latest,
                PhaseState.DISPATCHED,
                frozenset({PhaseState.PENDING}),
                at,
                started_at=at,
            )
        else:
            nxt = PhaseAttempt(
                batch.id, phase, latest.attempt + 1, PhaseState.DISPATCHED, started_at=at
            )
            await uow.phases.add(nxt)
            await uow.batches.log(
                StatusChange(batch.id, phase, nxt.attempt, None, PhaseState.DISPATCHED.value, at=at)
            )
        assert nxt is not None
        snapshot = await uow.batches.get_snapshot(batch)
        await uow.batches.save(replace(batch, version=batch.version + 1))
        await command_phase(
            uow, self._peers, batch, nxt, essay_ids, snapshot.settings if snapshot else {}
        )

    async def _end(self, uow: OrchestratorUnitOfWork, batch: Batch, at: datetime) -> None:
        """No phase left to run: the pending ones are skipped and the batch takes its end."""
        for skipped in [
            a for a in await uow.phases.all(batch.id) if a.status is PhaseState.PENDING
        ]:
            await move_phase(uow, skipped, PhaseState.SKIPPED, frozenset({PhaseState.PENDING}), at)
        essays = await uow.results.for_batch(batch.id)
        status, summary = batch_end(
            batch, await uow.phases.all(batch.id), [e.status for e in essays]
        )
        await move_batch(uow, batch, status, at, results_summary=summary)
        metrics.BATCHES.labels(status.value).inc()
