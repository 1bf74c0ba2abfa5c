"""batch_orchestrator use cases. No HTTP, no SQL: ports are in protocols.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from service_kit.errors import Conflict, NotFound, PeerUnavailable
from services.batch_orchestrator import metrics
from services.batch_orchestrator.domain import (
    FINISHED,
    OPEN_PHASE,
    RUNNING_PHASE,
    Batch,
    BatchStatus,
    EssayResult,
    Outcome,
    PhaseAttempt,
    PhaseState,
    Snapshot,
    StatusChange,
    final_status,
    now,
    start_refusal,
    unaccounted_files,
)
from services.batch_orchestrator.protocols import (
    EssayCounts,
    FileIntake,
    OrchestratorUnitOfWork,
)

RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class Peers:
    self_url: str
    essay_lifecycle_url: str

    def phase_command_url(self, batch_id: str, phase: str) -> str:
        return f"{self.essay_lifecycle_url}/internal/v1/batches/{batch_id}/phases/{phase}"


def _visible(batch: Batch | None, batch_id: str, caller: str | None) -> Batch:
    """Only the owner (or an internal caller, who names no user) sees a batch; to anyone
    else it does not exist."""
    if batch is None or (caller is not None and caller != batch.owner):
        raise NotFound(f"no batch {batch_id}")
    return batch


async def _move(
    uow: OrchestratorUnitOfWork,
    batch: Batch,
    status: BatchStatus,
    details: dict[str, Any] | None = None,
    **changes: Any,
) -> Batch:
    moved = batch.moved_to(status, **changes)
    await uow.batches.save(moved)
    await uow.batches.log(
        StatusChange(batch.id, None, None, batch.status.value, status.value, details or {})
    )
    return moved


async def _set_phase(
    uow: OrchestratorUnitOfWork,
    attempt: PhaseAttempt,
    status: PhaseState,
    expected: frozenset[PhaseState],
    details: dict[str, Any] | None = None,
    **changes: Any,
) -> PhaseAttempt | None:
    changed = replace(attempt, status=status, **changes)
    if not await uow.phases.replace(changed, expected):
        return None
    await uow.batches.log(
        StatusChange(
            attempt.batch_id,
            attempt.phase,
            attempt.attempt,
            attempt.status.value,
            status.value,
            details or {},
        )
    )
    return changed


async def create_batch(
    uow: OrchestratorUnitOfWork,
    peers: Peers,
    *,
    owner: str,
    name: str,
    language: str,
    pipeline: tuple[str, ...],
    expected_essay_count: int | None,
    settings: dict[str, Any],
) -> Batch:
    """The batch row, its first log entry and essay_lifecycle's registration: one commit."""
    batch = Batch(
        id=uuid.uuid4().hex,
        name=name,
        owner=owner,
        language=language,
        status=BatchStatus.AWAITING_CONTENT,
        pipeline=pipeline,
        expected_essay_count=expected_essay_count,
        settings=settings,
    )
    async with uow:
        await uow.batches.add(batch)
        await uow.batches.log(
            StatusChange(
                batch.id, None, None, None, batch.status.value, {"pipeline": list(pipeline)}
            )
        )
        for phase in pipeline:
            await uow.phases.add(PhaseAttempt(batch.id, phase, 1, PhaseState.PENDING))
        await uow.call_peer(
            "POST",
            f"{peers.essay_lifecycle_url}/internal/v1/batches",
            {
                "batch_id": batch.id,
                "language": language,
                "callback_url": peers.self_url,
                "expected_essay_count": expected_essay_count,
            },
            f"register:{batch.id}",
        )
        await uow.commit()
    metrics.BATCHES.labels("created").inc()
    return batch


async def get_batch(
    uow: OrchestratorUnitOfWork, batch_id: str, caller: str | None
) -> tuple[Batch, list[PhaseAttempt]]:
    async with uow:
        batch = _visible(await uow.batches.get(batch_id), batch_id, caller)
        return batch, await uow.phases.all(batch_id)


async def list_batches(
    uow: OrchestratorUnitOfWork,
    *,
    owner: str | None,
    status: BatchStatus | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Batch]:
    async with uow:
        return await uow.batches.page(owner=owner, status=status, after=after, limit=limit)


async def history(
    uow: OrchestratorUnitOfWork, batch_id: str, caller: str | None
) -> list[StatusChange]:
    async with uow:
        _visible(await uow.batches.get(batch_id), batch_id, caller)
        return await uow.batches.history(batch_id)


async def _command_phase(
    uow: OrchestratorUnitOfWork,
    peers: Peers,
    batch: Batch,
    attempt: PhaseAttempt,
    essay_ids: list[str] | None,
    settings: dict[str, Any],
) -> None:
    body: dict[str, Any] = {
        "attempt": attempt.attempt,
        "last_phase": batch.next_phase(attempt.phase) is None,
        "settings": settings.get(attempt.phase, {}),
    }
    if essay_ids is not None:
        body["essay_ids"] = essay_ids
    await uow.call_peer(
        "POST",
        peers.phase_command_url(batch.id, attempt.phase),
        body,
        f"phase:{batch.id}:{attempt.phase}:{attempt.attempt}",
    )
    metrics.PHASES_DISPATCHED.labels(attempt.phase).inc()


def _latest(attempts: list[PhaseAttempt], phase: str) -> PhaseAttempt:
    return max((a for a in attempts if a.phase == phase), key=lambda a: a.attempt)


async def start_pipeline(
    uow: OrchestratorUnitOfWork,
    counts: EssayCounts,
    intake: FileIntake,
    peers: Peers,
    batch_id: str,
    caller: str | None,
) -> Batch:
    """Start only over every file the batch accepted: file_service seals the batch once each
    of its files has an outcome (no upload can slip in after), and essay_lifecycle must have
    heard of all of them; until then the start is refused with 409 and Retry-After."""
    async with uow:
        batch = _visible(await uow.batches.get(batch_id), batch_id, caller)
    if batch.pipeline_started:
        raise Conflict(
            f"batch {batch_id} is already {batch.status.value}", current_status=batch.status.value
        )
    files = await intake.seal(batch_id)
    if files is None:
        raise PeerUnavailable(
            "file_service cannot say which files the batch holds", retry_after=RETRY_AFTER_SECONDS
        )
    summary = await counts.summary(batch_id)
    if summary is None:
        raise PeerUnavailable(
            "essay_lifecycle cannot say which essays are ready", retry_after=RETRY_AFTER_SECONDS
        )
    by_status = summary.get("by_status", {})
    ready = int(by_status.get("ready", 0))
    rejected = int(by_status.get("content_rejected", 0))
    refusal = start_refusal(batch_id, files, ready + rejected)
    if refusal is not None:
        raise refusal
    async with uow:
        batch = _visible(await uow.batches.get(batch_id, for_update=True), batch_id, caller)
        if batch.pipeline_started:
            raise Conflict(
                f"batch {batch_id} is already {batch.status.value}",
                current_status=batch.status.value,
            )
        snapshot = Snapshot(
            uuid.uuid4(),
            batch.id,
            {
                "language": batch.language,
                "pipeline": list(batch.pipeline),
                **batch.settings,
            },
        )
        await uow.batches.add_snapshot(snapshot)
        if batch.status is BatchStatus.AWAITING_CONTENT:
            batch = await _move(
                uow, batch, BatchStatus.READY, {"ready_essays": ready, "rejected_essays": rejected}
            )
        batch = await _move(
            uow,
            batch,
            BatchStatus.PROCESSING,
            snapshot_id=snapshot.id,
            # files that never became essays count against the batch's result at its end;
            # every accepted file must end in the results or among the rejected
            results_summary={
                **batch.results_summary,
                "rejected_essays": rejected,
                "accepted_files": files.files,
            },
        )
        first = _latest(await uow.phases.all(batch_id), batch.pipeline[0])
        dispatched = await _set_phase(
            uow, first, PhaseState.DISPATCHED, frozenset({PhaseState.PENDING}), started_at=now()
        )
        assert dispatched is not None
        await _command_phase(uow, peers, batch, dispatched, None, snapshot.settings)
        await uow.commit()
    return batch


async def phase_outcome(
    uow: OrchestratorUnitOfWork, peers: Peers, batch_id: str, outcome: Outcome
) -> bool:
    """Compare-and-set on the phase attempt: a late or repeated outcome changes nothing.
    Then the next phase starts with the essays that succeeded, or the batch finishes."""
    async with uow:
        batch = await uow.batches.get(batch_id, for_update=True)
        if batch is None:
            raise NotFound(f"no batch {batch_id}")
        attempts = await uow.phases.all(batch_id)
        current = next(
            (a for a in attempts if a.phase == outcome.phase and a.attempt == outcome.attempt), None
        )
        if current is None or current.status not in RUNNING_PHASE:
            return False
        finished = await _set_phase(
            uow,
            current,
            outcome.phase_state,
            RUNNING_PHASE,
            {"succeeded": len(outcome.succeeded), "failed": len(outcome.failed)},
            essays=len(outcome.succeeded) + len(outcome.failed),
            succeeded=len(outcome.succeeded),
            failed=len(outcome.failed),
            finished_at=now(),
        )
        if finished is None:
            return False
        await uow.results.upsert(
            [
                EssayResult(
                    essay_id,
                    batch_id,
                    r.get("file_id"),
                    r.get("filename"),
                    r.get("status", "unknown"),
                    r.get("spelling"),
                    r.get("corrected_text_content_id"),
                    r.get("assessment"),
                )
                for essay_id, r in outcome.results.items()
            ]
        )
        if outcome.summary:
            batch = replace(
                batch, results_summary={**batch.results_summary, outcome.phase: outcome.summary}
            )
        if batch.status is not BatchStatus.PROCESSING:
            await uow.batches.save(replace(batch, version=batch.version + 1))
            await uow.commit()
            return True  # cancelled meanwhile: results kept, nothing more started
        attempts = await uow.phases.all(batch_id)
        following = batch.next_phase(outcome.phase)
        if following and outcome.succeeded:
            latest = _latest(attempts, following)
            if latest.status is PhaseState.PENDING:
                nxt = await _set_phase(
                    uow,
                    latest,
                    PhaseState.DISPATCHED,
                    frozenset({PhaseState.PENDING}),
                    started_at=now(),
                )
            else:
                nxt = PhaseAttempt(
                    batch_id, following, latest.attempt + 1, PhaseState.DISPATCHED, started_at=now()
                )
                await uow.phases.add(nxt)
                await uow.batches.log(
                    StatusChange(
                        batch_id, following, nxt.attempt, None, PhaseState.DISPATCHED.value
                    )
                )
            assert nxt is not None
            snapshot = await uow.batches.get_snapshot(batch)
            await uow.batches.save(replace(batch, version=batch.version + 1))
            await _command_phase(
                uow, peers, batch, nxt, outcome.succeeded, snapshot.settings if snapshot else {}
            )
        else:
            for skipped in [a for a in attempts if a.status is PhaseState.PENDING]:
                await _set_phase(uow, skipped, PhaseState.SKIPPED, frozenset({PhaseState.PENDING}))
            essays = await uow.results.for_batch(batch_id)
            rejected = int(batch.results_summary.get("rejected_essays", 0))
            accepted = batch.results_summary.get("accepted_files")
            missing = unaccounted_files(
                None if accepted is None else int(accepted), len(essays), rejected
            )
            if missing:
                batch = replace(
                    batch, results_summary={**batch.results_summary, "unaccounted_files": missing}
                )
            status = final_status(
                await uow.phases.all(batch_id),
                [e.status for e in essays],
                rejected=rejected,
                unaccounted=missing,
            )
            await _move(uow, batch, status, results_summary=batch.results_summary)
            metrics.BATCHES.labels(status.value).inc()
        await uow.commit()
    return True


async def retry_phase(
    uow: OrchestratorUnitOfWork, peers: Peers, batch_id: str, phase: str, caller: str | None
) -> PhaseAttempt:
    """A new attempt for the essays that failed the phase; the pipeline then continues."""
    async with uow:
        batch = _visible(await uow.batches.get(batch_id, for_update=True), batch_id, caller)
        if phase not in batch.pipeline:
            raise NotFound(f"batch {batch_id} has no phase {phase}")
        if batch.status not in (BatchStatus.FAILED, BatchStatus.COMPLETED_WITH_FAILURES):
            raise Conflict(
                f"batch {batch_id} is {batch.status.value}; only a finished batch "
                "with failures can retry a phase",
                current_status=batch.status.value,
            )
        latest = _latest(await uow.phases.all(batch_id), phase)
        results = await uow.results.for_batch(batch_id)
        if not any(r.status == f"{phase}_failed" for r in results):
            raise Conflict(
                f"phase {phase} has no failed essays to retry", phase_status=latest.status.value
            )
        batch = await _move(uow, batch, BatchStatus.PROCESSING, {"retry": phase})
        attempt = PhaseAttempt(
            batch_id, phase, latest.attempt + 1, PhaseState.DISPATCHED, started_at=now()
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
            )
        )
        snapshot = await uow.batches.get_snapshot(batch)
        await _command_phase(
            uow, peers, batch, attempt, None, snapshot.settings if snapshot else {}
        )
        await uow.commit()
    metrics.RETRIES.labels(phase).inc()
    return attempt


async def cancel_batch(
    uow: OrchestratorUnitOfWork, peers: Peers, batch_id: str, caller: str | None
) -> Batch:
    async with uow:
        batch = _visible(await uow.batches.get(batch_id, for_update=True), batch_id, caller)
        if batch.status in FINISHED:
            raise Conflict(
                f"batch {batch_id} is already {batch.status.value}",
                current_status=batch.status.value,
            )
        started = batch.pipeline_started
        batch = await _move(uow, batch, BatchStatus.CANCELLED)
        for attempt in await uow.phases.all(batch_id):
            if attempt.status in OPEN_PHASE:
                await _set_phase(uow, attempt, PhaseState.CANCELLED, OPEN_PHASE, finished_at=now())
        if started:
            await uow.call_peer(
                "POST",
                f"{peers.essay_lifecycle_url}/internal/v1/batches/{batch_id}/cancel",
                None,
                f"cancel:{batch_id}",
            )
        await uow.commit()
    metrics.BATCHES.labels("cancelled").inc()
    return batch


def accounting(batch: Batch, found: list[EssayResult]) -> dict[str, int | None]:
    """Every accepted file is in the results or among the rejected: the figures that say so."""
    summary = batch.results_summary
    accepted = summary.get("accepted_files")
    rejected = int(summary.get("rejected_essays", 0))
    return {
        "accepted_files": None if accepted is None else int(accepted),
        "results": len(found),
        "rejected_files": rejected,
        "unaccounted_files": unaccounted_files(
            None if accepted is None else int(accepted), len(found), rejected
        ),
    }


async def results(
    uow: OrchestratorUnitOfWork, batch_id: str, caller: str | None
) -> tuple[Batch, list[EssayResult]]:
    async with uow:
        batch = _visible(await uow.batches.get(batch_id), batch_id, caller)
        return batch, await uow.results.for_batch(batch_id)
