"""A phase run's outcome: when its last open essay is done, exactly one outcome goes to the
orchestrator, written to the outbox in the transaction that closed the run."""

from __future__ import annotations

from typing import Any

from services.essay_lifecycle import metrics
from services.essay_lifecycle.domain import Essay, EssayStatus, Phase, PhaseRun
from services.essay_lifecycle.protocols import EssayUnitOfWork


async def close(
    uow: EssayUnitOfWork, run: PhaseRun, essays: int, batch_summary: dict[str, Any] | None = None
) -> bool:
    """``essays`` of the run are done; if none is left open, send the outcome."""
    remaining = await uow.runs.close(run, essays)
    if remaining != 0:
        return False
    return await report(uow, run, batch_summary)


async def report(
    uow: EssayUnitOfWork, run: PhaseRun, batch_summary: dict[str, Any] | None = None
) -> bool:
    """Send the run's outcome once: the run moves to reported in this same transaction."""
    if not await uow.runs.mark_reported(run):
        return False
    members = await uow.essays.in_run(run.batch_id, run.phase, run.attempt)
    succeeded = [e for e in members if _succeeded(e, run.phase)]
    failed = [e for e in members if not _succeeded(e, run.phase)]
    batch = await uow.batches.get(run.batch_id)
    assert batch is not None and batch.callback_url  # start_phase refused unregistered batches
    body = {
        "phase": run.phase.value,
        "attempt": run.attempt,
        "succeeded": [str(e.id) for e in succeeded],
        "failed": [{"essay_id": str(e.id), "status": e.status.value} for e in failed],
        "results": {str(e.id): _result(e) for e in members},
        "summary": batch_summary or {},
    }
    await uow.call_peer(
        "POST",
        f"{batch.callback_url.rstrip('/')}/internal/v1/batches/{run.batch_id}/phase-outcomes",
        body,
        f"outcome:{run.batch_id}:{run.phase.value}:{run.attempt}",
    )
    metrics.OUTCOMES.labels(run.phase.value).inc()
    return True


def _succeeded(essay: Essay, phase: Phase) -> bool:
    done = {
        Phase.SPELLCHECK: EssayStatus.SPELLCHECK_SUCCEEDED,
        Phase.CJ_ASSESSMENT: EssayStatus.CJ_ASSESSMENT_SUCCEEDED,
    }[phase]
    return essay.status is done or (essay.status is EssayStatus.COMPLETED and essay.phase is phase)


def _result(essay: Essay) -> dict[str, Any]:
    return {
        "file_id": essay.file_id,
        "filename": essay.filename,
        "status": essay.status.value,
        "spelling": essay.spelling,
        "corrected_text_content_id": essay.corrected_text_content_id,
        "assessment": essay.assessment,
    }
