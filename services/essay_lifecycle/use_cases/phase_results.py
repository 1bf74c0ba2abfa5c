"""A phase's results come back: spell_checker's per-essay callback and cj_assessment's
ranking of the batch. Each essay is counted out of its run; the last one sends the outcome
(``phase_outcomes``). A stale or repeated callback is answered, never refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service_kit.clock import Clock
from service_kit.errors import NotFound
from services.essay_lifecycle import metrics
from services.essay_lifecycle.domain import (
    Applied,
    Essay,
    EssayStatus,
    Event,
    Phase,
    PhaseRun,
    Transition,
    apply,
    awaits_spellcheck,
    spellcheck_transitions,
)
from services.essay_lifecycle.protocols import EssaySettler, EssayUnitOfWork
from services.essay_lifecycle.use_cases.phase_outcomes import count_out
from services.essay_lifecycle.use_cases.transitions import save


@dataclass(frozen=True, slots=True)
class ApplySpellcheckResultCommand:
    essay_id: uuid.UUID
    attempt: int
    succeeded: bool
    corrected_text_content_id: str | None = None
    spelling: dict[str, Any] = field(default_factory=dict)  # the checker's figures, as sent
    reason: str | None = None
    correlation_id: str | None = None


class ApplySpellcheckResult:
    """Most callbacks take the fast path: one unlocked read, then one statement that is the
    whole transition (``EssaySettler``). A callback that finds anything else (a repeat, a
    stale attempt, a race lost, the run's last open essay, whose outcome goes in the same
    transaction) takes the unit of work, which decides under row locks."""

    def __init__(self, uow: EssayUnitOfWork, settler: EssaySettler, clock: Clock) -> None:
        self._uow = uow
        self._settler = settler
        self._clock = clock

    async def execute(self, command: ApplySpellcheckResultCommand) -> Applied:
        now = self._clock.now()
        essay, run = await self._settler.essay_with_run(
            command.essay_id, Phase.SPELLCHECK, command.attempt
        )
        if (
            essay is not None
            and run is not None
            and awaits_spellcheck(essay, run)
            and run.settles_alone()
        ):
            transitions = self._transitions(essay, run, command, now)
            if await self._settler.settle(essay, transitions, run) is not None:
                for transition in transitions:
                    metrics.TRANSITIONS.labels(transition.event.event).inc()
                return Applied(True)
        async with self._uow as uow:
            essay = await uow.essays.get(command.essay_id, for_update=True)
            if essay is None:
                raise NotFound(f"no essay with id {command.essay_id}")
            run = await uow.runs.get(essay.batch_id, Phase.SPELLCHECK, command.attempt)
            if (
                run is None
                or essay.phase is not Phase.SPELLCHECK
                or essay.phase_attempt != command.attempt
            ):
                return Applied(False, "not part of that spellcheck attempt")
            if essay.status is not EssayStatus.SPELLCHECK_IN_PROGRESS:
                return Applied(False, f"already {essay.status.value}")
            for transition in self._transitions(essay, run, command, now):
                await save(uow, transition)
            sent = await count_out(uow, run, 1, now)
            await uow.commit()
        return Applied(True, outcome_sent=sent)

    @staticmethod
    def _transitions(
        essay: Essay, run: PhaseRun, command: ApplySpellcheckResultCommand, now: datetime
    ) -> list[Transition]:
        return spellcheck_transitions(
            essay,
            run,
            succeeded=command.succeeded,
            corrected_text_content_id=command.corrected_text_content_id,
            spelling=command.spelling,
            reason=command.reason,
            correlation_id=command.correlation_id,
            at=now,
        )


@dataclass(frozen=True, slots=True)
class ApplyAssessmentResultCommand:
    batch_id: str
    attempt: int
    succeeded: bool
    ranking: dict[str, dict[str, Any]] = field(default_factory=dict)  # each row, by essay id
    reason: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)  # the run's figures, for the outcome
    correlation_id: str | None = None


class ApplyAssessmentResult:
    """cj_assessment's one ranking (or one failure) for the whole run: ranked essays succeed
    (and complete, when this was the last phase), essays missing from it fail."""

    def __init__(self, uow: EssayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: ApplyAssessmentResultCommand) -> Applied:
        batch_id, attempt, now = command.batch_id, command.attempt, self._clock.now()
        async with self._uow as uow:
            run = await uow.runs.get(batch_id, Phase.CJ_ASSESSMENT, attempt)
            if run is None:
                raise NotFound(f"no cj_assessment attempt {attempt} for batch {batch_id}")
            ranked = command.ranking if command.succeeded else {}
            waiting = await uow.essays.in_batch(
                batch_id, statuses=(EssayStatus.CJ_ASSESSMENT_IN_PROGRESS,), for_update=True
            )
            members = [e for e in waiting if e.phase_attempt == attempt]
            if not members:
                return Applied(False, "no essay of that attempt is waiting for a ranking")
            for essay in members:
                row = ranked.get(str(essay.id))
                if row is not None:
                    done = await save(
                        uow,
                        apply(
                            essay,
                            Event.CJ_ASSESSMENT_SUCCEEDED,
                            at=now,
                            details=row,
                            correlation_id=command.correlation_id,
                            assessment=row,
                        ),
                    )
                    if run.last_phase:
                        completed = apply(
                            done, Event.COMPLETE, at=now, correlation_id=command.correlation_id
                        )
                        await save(uow, completed)
                else:
                    reason = command.reason if not command.succeeded else "missing from the ranking"
                    failed = apply(
                        essay,
                        Event.CJ_ASSESSMENT_FAILED,
                        at=now,
                        details={"reason": reason},
                        correlation_id=command.correlation_id,
                    )
                    await save(uow, failed)
            sent = await count_out(uow, run, len(members), now, batch_summary=command.summary)
            await uow.commit()
        return Applied(True, outcome_sent=sent)
