"""Phases: the orchestrator's command fans out to per-essay work; results come back as
callbacks; when the last essay of a run is done, exactly one outcome goes back.

Each essay leaves "pending/in progress" once, under its own row lock; that transaction also
decrements the run's ``open_essays`` (so the run's row is locked only briefly: for a
spellcheck callback's fast path, one statement and its commit). The one transaction that
brings it to zero sends the outcome (``outcomes``), on whichever replica it runs, however
the callbacks race.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any

from service_kit.errors import Conflict, NotFound
from services.essay_lifecycle import metrics
from services.essay_lifecycle.domain import (
    ACTIVE,
    ELIGIBLE,
    PHASE_EVENTS,
    TERMINAL,
    Batch,
    Essay,
    EssayStatus,
    Event,
    Phase,
    PhaseRun,
    PhaseRunStatus,
    Transition,
    apply,
)
from services.essay_lifecycle.outcomes import close, report
from services.essay_lifecycle.protocols import EssayUnitOfWork
from services.essay_lifecycle.service import save


@dataclass(frozen=True)
class Peers:
    self_url: str
    spell_checker_url: str
    cj_assessment_url: str

    def spellcheck_callback(self, essay_id: uuid.UUID, attempt: int) -> str:
        return f"{self.self_url}/internal/v1/essays/{essay_id}/spellcheck-result?attempt={attempt}"

    def cj_callback(self, batch_id: str, attempt: int) -> str:
        return f"{self.self_url}/internal/v1/batches/{batch_id}/cj-result?attempt={attempt}"


@dataclass(frozen=True)
class PhaseCommand:
    attempt: int = 1
    essay_ids: list[uuid.UUID] | None = None
    last_phase: bool = False
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SpellcheckResult:
    succeeded: bool
    corrected_text_content_id: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


@dataclass(frozen=True)
class AssessmentResult:
    succeeded: bool
    ranking: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Applied:
    """What a callback did: ``applied`` False for a stale or repeated one."""

    applied: bool
    reason: str | None = None
    outcome_sent: bool = False


async def start_phase(
    uow: EssayUnitOfWork,
    peers: Peers,
    batch_id: str,
    phase: Phase,
    command: PhaseCommand,
    correlation_id: str | None,
) -> PhaseRun:
    """Move the eligible essays to pending, queue their work, mark them in progress."""
    async with uow:
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
        events = PHASE_EVENTS[phase]
        started: list[Essay] = []
        for essay in essays:
            if (essay.status, events["requested"]) not in _requestable(phase):
                continue  # named by the command but not eligible (cancelled, say)
            pending = await save(
                uow,
                apply(
                    essay,
                    events["requested"],
                    details={"attempt": command.attempt},
                    correlation_id=correlation_id,
                    phase=phase,
                    phase_attempt=command.attempt,
                ),
            )
            started.append(pending)
        dispatched = len(started)
        if phase is Phase.SPELLCHECK:
            for essay in started:
                if not await _dispatch_spellcheck(
                    uow, peers, batch, essay, command, correlation_id
                ):
                    dispatched -= 1
        elif started:
            await _dispatch_assessment(uow, peers, batch, started, command, correlation_id)
        await uow.runs.set_counts(run, len(started), dispatched)
        run = dataclasses.replace(run, essay_count=len(started), open_essays=dispatched)
        if dispatched == 0:
            await report(uow, run)
        await uow.commit()
    metrics.PHASES_STARTED.labels(phase.value).inc()
    return run


def _requestable(phase: Phase) -> set[tuple[EssayStatus, Event]]:
    return {(status, PHASE_EVENTS[phase]["requested"]) for status in ELIGIBLE[phase]}


async def _dispatch_spellcheck(
    uow: EssayUnitOfWork,
    peers: Peers,
    batch: Batch,
    essay: Essay,
    command: PhaseCommand,
    correlation_id: str | None,
) -> bool:
    """Queue the essay's check; False when it failed at once (it has no text to check)."""
    if essay.text_content_id is None:
        failed = apply(
            essay,
            Event.SPELLCHECK_FAILED,
            details={"reason": "no text"},
            correlation_id=correlation_id,
        )
        await save(uow, failed)
        return False
    body = {
        "essay_id": str(essay.id),
        "batch_id": batch.id,
        "content_id": essay.text_content_id,
        "language": essay.language or batch.language or "en",
        "callback_url": peers.spellcheck_callback(essay.id, command.attempt),
        **command.settings,
    }
    await uow.call_peer(
        "POST",
        f"{peers.spell_checker_url}/v1/jobs",
        body,
        f"spellcheck:{essay.id}:{command.attempt}",
    )
    await save(uow, apply(essay, Event.SPELLCHECK_DISPATCHED, correlation_id=correlation_id))
    return True


async def _dispatch_assessment(
    uow: EssayUnitOfWork,
    peers: Peers,
    batch: Batch,
    essays: list[Essay],
    command: PhaseCommand,
    correlation_id: str | None,
) -> None:
    body = {
        "batch_id": batch.id,
        "essays": [
            {"essay_id": str(e.id), "content_id": e.corrected_text_content_id or e.text_content_id}
            for e in essays
        ],
        "callback_url": peers.cj_callback(batch.id, command.attempt),
        **command.settings,
    }
    await uow.call_peer(
        "POST",
        f"{peers.cj_assessment_url}/v1/assessments",
        body,
        f"cj_assessment:{batch.id}:{command.attempt}",
    )
    for essay in essays:
        await save(uow, apply(essay, Event.CJ_ASSESSMENT_DISPATCHED, correlation_id=correlation_id))


async def spellcheck_result(
    uow: EssayUnitOfWork,
    essay_id: uuid.UUID,
    attempt: int,
    result: SpellcheckResult,
    correlation_id: str | None,
) -> Applied:
    """Most callbacks take the fast path: one unlocked read, then one statement that is the
    whole transition (compare-and-set on the version). A callback that finds anything else
    (a repeat, a stale attempt, a race lost, the run's last open essay, whose outcome goes in
    the same transaction) takes the full unit of work below, which decides under row locks."""
    essay, run = await uow.essay_with_run(essay_id, Phase.SPELLCHECK, attempt)
    if essay is not None and run is not None and _awaits_spellcheck(essay, run, attempt):
        transitions = _spellcheck_transitions(essay, run, result, correlation_id)
        if await uow.settle(essay, transitions, run) is not None:
            for transition in transitions:
                metrics.TRANSITIONS.labels(transition.event.event).inc()
            return Applied(True)
    async with uow:
        essay = await uow.essays.get(essay_id, for_update=True)
        if essay is None:
            raise NotFound(f"no essay with id {essay_id}")
        run = await uow.runs.get(essay.batch_id, Phase.SPELLCHECK, attempt)
        if run is None or essay.phase is not Phase.SPELLCHECK or essay.phase_attempt != attempt:
            return Applied(False, "not part of that spellcheck attempt")
        if essay.status is not EssayStatus.SPELLCHECK_IN_PROGRESS:
            return Applied(False, f"already {essay.status.value}")
        for transition in _spellcheck_transitions(essay, run, result, correlation_id):
            await save(uow, transition)
        sent = await close(uow, run, 1)
        await uow.commit()
    return Applied(True, outcome_sent=sent)


def _awaits_spellcheck(essay: Essay, run: PhaseRun, attempt: int) -> bool:
    return (
        essay.phase is Phase.SPELLCHECK
        and essay.phase_attempt == attempt
        and essay.status is EssayStatus.SPELLCHECK_IN_PROGRESS
        and run.status is PhaseRunStatus.RUNNING
    )


def _spellcheck_transitions(
    essay: Essay, run: PhaseRun, result: SpellcheckResult, correlation_id: str | None
) -> list[Transition]:
    """The essay's way out of spellcheck_in_progress: succeeded (then completed, when this
    was the last phase asked for) or failed."""
    if not result.succeeded:
        return [
            apply(
                essay,
                Event.SPELLCHECK_FAILED,
                details={"reason": result.reason},
                correlation_id=correlation_id,
            )
        ]
    done = apply(
        essay,
        Event.SPELLCHECK_SUCCEEDED,
        details=result.summary,
        correlation_id=correlation_id,
        spelling=result.summary,
        corrected_text_content_id=result.corrected_text_content_id,
    )
    if not run.last_phase:
        return [done]
    return [done, apply(done.essay, Event.COMPLETE, correlation_id=correlation_id)]


async def assessment_result(
    uow: EssayUnitOfWork,
    batch_id: str,
    attempt: int,
    result: AssessmentResult,
    correlation_id: str | None,
) -> Applied:
    """One ranking (or one failure) for the whole run; essays missing from it fail."""
    async with uow:
        run = await uow.runs.get(batch_id, Phase.CJ_ASSESSMENT, attempt)
        if run is None:
            raise NotFound(f"no cj_assessment attempt {attempt} for batch {batch_id}")
        ranked = {str(row["essay_id"]): row for row in result.ranking} if result.succeeded else {}
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
                        details=row,
                        correlation_id=correlation_id,
                        assessment=row,
                    ),
                )
                if run.last_phase:
                    await save(uow, apply(done, Event.COMPLETE, correlation_id=correlation_id))
            else:
                reason = result.reason if not result.succeeded else "missing from the ranking"
                failed = apply(
                    essay,
                    Event.CJ_ASSESSMENT_FAILED,
                    details={"reason": reason},
                    correlation_id=correlation_id,
                )
                await save(uow, failed)
        sent = await close(uow, run, len(members), batch_summary=result.summary)
        await uow.commit()
    return Applied(True, outcome_sent=sent)


async def cancel_batch(uow: EssayUnitOfWork, batch_id: str, correlation_id: str | None) -> int:
    """Every essay not yet final is cancelled; runs this finishes report their outcome."""
    async with uow:
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
                details={"reason": "batch cancelled"},
                correlation_id=correlation_id,
            )
            await save(uow, cancelled)
        for (phase, attempt), count in sorted(closed.items(), key=lambda item: str(item[0])):
            run = await uow.runs.get(batch_id, phase, attempt)
            if run is not None:
                await close(uow, run, count)
        await uow.commit()
    return sum(1 for e in essays if e.status not in TERMINAL)


async def withdraw_file(
    uow: EssayUnitOfWork, batch_id: str, file_id: str, correlation_id: str | None
) -> Essay | None:
    """The file was deleted: its essay is cancelled (no-op when unknown or already final).
    If that was the last open essay of a phase attempt, the attempt reports its outcome."""
    async with uow:
        essay = await uow.essays.by_file(batch_id, file_id, for_update=True)
        if essay is None or essay.status in TERMINAL:
            return essay
        was_open = essay.phase is not None and essay.status in ACTIVE[essay.phase]
        cancelled = await save(
            uow,
            apply(
                essay,
                Event.CANCEL,
                details={"reason": "file deleted"},
                correlation_id=correlation_id,
            ),
        )
        if was_open and essay.phase is not None and essay.phase_attempt is not None:
            run = await uow.runs.get(batch_id, essay.phase, essay.phase_attempt)
            if run is not None:
                await close(uow, run, 1)
        await uow.commit()
        return cancelled
