"""Starting a phase: the orchestrator's command fans out to per-essay work (one
spell_checker job per essay, one cj_assessment request per batch)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any

from service_kit.errors import Conflict
from services.essay_lifecycle import metrics
from services.essay_lifecycle.config import PeerUrls
from services.essay_lifecycle.domain import (
    ELIGIBLE,
    PHASE_EVENTS,
    Batch,
    Essay,
    Event,
    Phase,
    PhaseRun,
    PhaseRunStatus,
    apply,
    reports,
)
from services.essay_lifecycle.protocols import EssayUnitOfWork
from services.essay_lifecycle.use_cases.phase_outcomes import report
from services.essay_lifecycle.use_cases.transitions import save


@dataclass(frozen=True, slots=True)
class StartPhaseCommand:
    batch_id: str
    phase: Phase
    attempt: int = 1
    essay_ids: list[uuid.UUID] | None = None  # None: every eligible essay
    last_phase: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None


class StartPhase:
    """Move the eligible essays to pending, queue their work, mark them in progress. A run
    with no essay to wait for reports its (empty) outcome at once; the same command again
    answers the run it made."""

    def __init__(self, uow: EssayUnitOfWork, peers: PeerUrls) -> None:
        self._uow = uow
        self._peers = peers

    async def execute(self, command: StartPhaseCommand) -> PhaseRun:
        batch_id, phase = command.batch_id, command.phase
        async with self._uow as uow:
            batch = await uow.batches.get(batch_id)
            if batch is None or not batch.callback_url:
                raise Conflict(f"batch {batch_id} is not registered; register it before its phases")
            run = PhaseRun(
                batch_id,
                phase,
                command.attempt,
                PhaseRunStatus.RUNNING,
                0,
                command.settings,
                command.last_phase,
            )
            if not await uow.runs.add(run):
                existing = await uow.runs.get(batch_id, phase, command.attempt)
                assert existing is not None
                return existing  # the same command again: nothing more to do
            essays = await uow.essays.in_batch(
                batch_id,
                statuses=None if command.essay_ids else ELIGIBLE[phase],
                ids=command.essay_ids,
                for_update=True,
            )
            requested = PHASE_EVENTS[phase]["requested"]
            started: list[Essay] = []
            for essay in essays:
                if essay.status not in ELIGIBLE[phase]:
                    continue  # named by the command but not eligible (cancelled, say)
                pending = await save(
                    uow,
                    apply(
                        essay,
                        requested,
                        details={"attempt": command.attempt},
                        correlation_id=command.correlation_id,
                        phase=phase,
                        phase_attempt=command.attempt,
                    ),
                )
                started.append(pending)
            dispatched = len(started)
            if phase is Phase.SPELLCHECK:
                for essay in started:
                    if not await self._dispatch_spellcheck(uow, batch, essay, command):
                        dispatched -= 1
            elif started:
                await self._dispatch_assessment(uow, batch, started, command)
            await uow.runs.set_counts(run, len(started), dispatched)
            run = dataclasses.replace(run, essay_count=len(started), open_essays=dispatched)
            if reports(run.open_essays):
                await report(uow, run)
            await uow.commit()
        metrics.PHASES_STARTED.labels(phase.value).inc()
        return run

    async def _dispatch_spellcheck(
        self, uow: EssayUnitOfWork, batch: Batch, essay: Essay, command: StartPhaseCommand
    ) -> bool:
        """Queue the essay's check; False when it failed at once (it has no text to check)."""
        if essay.text_content_id is None:
            failed = apply(
                essay,
                Event.SPELLCHECK_FAILED,
                details={"reason": "no text"},
                correlation_id=command.correlation_id,
            )
            await save(uow, failed)
            return False
        body = {
            "essay_id": str(essay.id),
            "batch_id": batch.id,
            "content_id": essay.text_content_id,
            "language": essay.language or batch.language or "en",
            "callback_url": self._peers.spellcheck_callback(essay.id, command.attempt),
            **command.settings,
        }
        await uow.call_peer(
            "POST",
            f"{self._peers.spell_checker_url}/v1/jobs",
            body,
            f"spellcheck:{essay.id}:{command.attempt}",
        )
        dispatched = apply(
            essay, Event.SPELLCHECK_DISPATCHED, correlation_id=command.correlation_id
        )
        await save(uow, dispatched)
        return True

    async def _dispatch_assessment(
        self, uow: EssayUnitOfWork, batch: Batch, essays: list[Essay], command: StartPhaseCommand
    ) -> None:
        body = {
            "batch_id": batch.id,
            "essays": [
                {
                    "essay_id": str(e.id),
                    "content_id": e.corrected_text_content_id or e.text_content_id,
                }
                for e in essays
            ],
            "callback_url": self._peers.cj_callback(batch.id, command.attempt),
            **command.settings,
        }
        await uow.call_peer(
            "POST",
            f"{self._peers.cj_assessment_url}/v1/assessments",
            body,
            f"cj_assessment:{batch.id}:{command.attempt}",
        )
        for essay in essays:
            dispatched = apply(
                essay, Event.CJ_ASSESSMENT_DISPATCHED, correlation_id=command.correlation_id
            )
            await save(uow, dispatched)
