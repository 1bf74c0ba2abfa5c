"""Starting a phase: the orchestrator's command fans out to per-essay work (one
spell_checker job per essay, one cj_assessment request per batch)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts.batches import CjSettings, SpellcheckSettings
from contracts.cj import AssessmentIn, EssayModel
from contracts.spellcheck import JobIn
from service_kit.clock import Clock
from service_kit.errors import Conflict, InvalidInput
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
    text_to_assess,
    text_to_check,
)
from services.essay_lifecycle.protocols import EssayUnitOfWork
from services.essay_lifecycle.use_cases.phase_outcomes import report
from services.essay_lifecycle.use_cases.transitions import save

# what each phase's ``settings`` may hold (the orchestrator's part of the batch settings)
PHASE_SETTINGS: dict[Phase, type[BaseModel]] = {
    Phase.SPELLCHECK: SpellcheckSettings,
    Phase.CJ_ASSESSMENT: CjSettings,
}


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
    """Move the eligible essays to pending, queue their work, mark them in progress. An
    essay with nothing to check or assess fails at once; a run with no essay to wait for
    reports its (empty) outcome at once; the same command again answers the run it made.
    Settings the phase cannot take are refused before anything is written."""

    def __init__(self, uow: EssayUnitOfWork, peers: PeerUrls, clock: Clock) -> None:
        self._uow = uow
        self._peers = peers
        self._clock = clock

    async def execute(self, command: StartPhaseCommand) -> PhaseRun:
        batch_id, phase, now = command.batch_id, command.phase, self._clock.now()
        settings = _phase_settings(phase, command.settings)
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
                created_at=now,
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
                        at=now,
                        details={"attempt": command.attempt},
                        correlation_id=command.correlation_id,
                        phase=phase,
                        phase_attempt=command.attempt,
                    ),
                )
                started.append(pending)
            if phase is Phase.SPELLCHECK:
                dispatched = await self._dispatch_spellcheck(
                    uow, batch, started, command, settings, now
                )
            else:
                dispatched = await self._dispatch_assessment(
                    uow, batch, started, command, settings, now
                )
            await uow.runs.set_counts(run, len(started), dispatched)
            run = dataclasses.replace(run, essay_count=len(started), open_essays=dispatched)
            if reports(run.open_essays):
                await report(uow, run, now)
            await uow.commit()
        metrics.PHASES_STARTED.labels(phase.value).inc()
        return run

    async def _dispatch_spellcheck(
        self,
        uow: EssayUnitOfWork,
        batch: Batch,
        essays: list[Essay],
        command: StartPhaseCommand,
        settings: dict[str, Any],
        now: datetime,
    ) -> int:
        """Queue one check per essay; the number queued (an essay without text fails)."""
        dispatched = 0
        for essay in essays:
            content_id = text_to_check(essay)
            if content_id is None:
                await self._fail(uow, essay, Event.SPELLCHECK_FAILED, command, now)
                continue
            job = JobIn(
                essay_id=str(essay.id),
                batch_id=batch.id,
                content_id=content_id,
                language=essay.language or batch.language or "en",
                callback_url=self._peers.spellcheck_callback(essay.id, command.attempt),
                **settings,
            )
            await uow.call_peer(
                "POST",
                f"{self._peers.spell_checker_url}/v1/jobs",
                job.model_dump(mode="json", exclude_unset=True),
                f"spellcheck:{essay.id}:{command.attempt}",
            )
            event = Event.SPELLCHECK_DISPATCHED
            await save(uow, apply(essay, event, at=now, correlation_id=command.correlation_id))
            dispatched += 1
        return dispatched

    async def _dispatch_assessment(
        self,
        uow: EssayUnitOfWork,
        batch: Batch,
        essays: list[Essay],
        command: StartPhaseCommand,
        settings: dict[str, Any],
        now: datetime,
    ) -> int:
        """Queue one assessment of every essay with text; the number sent."""
        sent: list[tuple[Essay, str]] = []
        for essay in essays:
            content_id = text_to_assess(essay)
            if content_id is None:
                await self._fail(uow, essay, Event.CJ_ASSESSMENT_FAILED, command, now)
            else:
                sent.append((essay, content_id))
        if not sent:
            return 0
        request = AssessmentIn(
            batch_id=batch.id,
            essays=[EssayModel(essay_id=str(e.id), content_id=content) for e, content in sent],
            callback_url=self._peers.cj_callback(batch.id, command.attempt),
            **settings,
        )
        await uow.call_peer(
            "POST",
            f"{self._peers.cj_assessment_url}/v1/assessments",
            request.model_dump(mode="json", exclude_unset=True),
            f"cj_assessment:{batch.id}:{command.attempt}",
        )
        for essay, _ in sent:
            event = Event.CJ_ASSESSMENT_DISPATCHED
            await save(uow, apply(essay, event, at=now, correlation_id=command.correlation_id))
        return len(sent)

    @staticmethod
    async def _fail(
        uow: EssayUnitOfWork, essay: Essay, event: Event, command: StartPhaseCommand, now: datetime
    ) -> None:
        failed = apply(
            essay,
            event,
            at=now,
            details={"reason": "no text"},
            correlation_id=command.correlation_id,
        )
        await save(uow, failed)


def _phase_settings(phase: Phase, settings: dict[str, Any]) -> dict[str, Any]:
    """The phase's settings as given, once checked against what its peer takes (a request
    the peer would refuse is refused here, where the orchestrator hears of it)."""
    try:
        checked = PHASE_SETTINGS[phase].model_validate(settings)
    except ValidationError as exc:
        errors = [
            {"loc": ["settings", *error["loc"]], "msg": error["msg"], "type": error["type"]}
            for error in exc.errors()
        ]
        raise InvalidInput(f"settings the {phase.value} phase cannot take", errors=errors) from exc
    return checked.model_dump(exclude_unset=True)
