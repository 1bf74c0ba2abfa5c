"""A phase run's outcome: essays are counted out of their run, and the transaction that
counts out the last one sends exactly one outcome to the orchestrator, through the outbox,
in the same commit (``PhaseRun.counted_out`` and ``domain.reports`` state the rule).

Not a use case of its own: starting a phase, a result callback, cancelling a batch and a
deleted file each count essays out, inside their own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.cj import CjRunSummary, RankedEssay
from contracts.outcomes import EssayOutcome, FailedEssay, OutcomeIn
from contracts.spellcheck import SpellcheckFigures
from services.essay_lifecycle import metrics
from services.essay_lifecycle.domain import Essay, PhaseRun, reports, succeeded_in
from services.essay_lifecycle.protocols import EssayUnitOfWork


async def count_out(
    uow: EssayUnitOfWork,
    run: PhaseRun,
    essays: int,
    at: datetime,
    batch_summary: dict[str, Any] | None = None,
) -> bool:
    """``essays`` of the run are done; if that was the last open one, send the outcome."""
    remaining = await uow.runs.close(run, essays)
    if not reports(remaining):
        return False
    return await report(uow, run, at, batch_summary)


async def report(
    uow: EssayUnitOfWork,
    run: PhaseRun,
    at: datetime,
    batch_summary: dict[str, Any] | None = None,
) -> bool:
    """Send the run's outcome once: the run moves to reported in this same transaction."""
    if not await uow.runs.mark_reported(run, at):
        return False
    members = await uow.essays.in_run(run.batch_id, run.phase, run.attempt)
    batch = await uow.batches.get(run.batch_id)
    assert batch is not None and batch.callback_url  # StartPhase refuses unregistered batches
    outcome = OutcomeIn(
        phase=run.phase.value,
        attempt=run.attempt,
        succeeded=[str(e.id) for e in members if succeeded_in(e, run.phase)],
        failed=[
            FailedEssay(essay_id=str(e.id), status=e.status.value)
            for e in members
            if not succeeded_in(e, run.phase)
        ],
        results={str(e.id): essay_outcome(e) for e in members},
        summary=CjRunSummary.model_validate(batch_summary or {}),
    )
    await uow.call_peer(
        "POST",
        f"{batch.callback_url.rstrip('/')}/internal/v1/batches/{run.batch_id}/phase-outcomes",
        outcome.model_dump(mode="json", exclude_unset=True),
        f"outcome:{run.batch_id}:{run.phase.value}:{run.attempt}",
    )
    metrics.OUTCOMES.labels(run.phase.value).inc()
    return True


def essay_outcome(essay: Essay) -> EssayOutcome:
    """One essay's row of the outcome's results (its spelling and assessment as they came
    from spell_checker and cj_assessment)."""
    return EssayOutcome(
        file_id=essay.file_id,
        filename=essay.filename,
        status=essay.status.value,
        spelling=None if essay.spelling is None else SpellcheckFigures(**essay.spelling),
        corrected_text_content_id=essay.corrected_text_content_id,
        assessment=None if essay.assessment is None else RankedEssay(**essay.assessment),
    )
