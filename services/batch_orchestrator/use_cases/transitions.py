"""The steps several use cases share: a status change written with its log line, and a
phase command queued for essay_lifecycle in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from contracts.batches import PhaseCommandIn
from services.batch_orchestrator import metrics
from services.batch_orchestrator.config import Peers
from services.batch_orchestrator.domain import (
    Batch,
    BatchStatus,
    PhaseAttempt,
    PhaseState,
    StatusChange,
)
from services.batch_orchestrator.protocols import OrchestratorUnitOfWork


async def move_batch(
    uow: OrchestratorUnitOfWork,
    batch: Batch,
    status: BatchStatus,
    at: datetime,
    details: dict[str, Any] | None = None,
    **changes: Any,
) -> Batch:
    """The batch moved to ``status`` (a transition the domain allows), saved and logged."""
    moved = batch.moved_to(status, at, **changes)
    await uow.batches.save(moved)
    await uow.batches.log(
        StatusChange(batch.id, None, None, batch.status.value, status.value, details or {}, at=at)
    )
    return moved


async def move_phase(
    uow: OrchestratorUnitOfWork,
    attempt: PhaseAttempt,
    status: PhaseState,
    expected: frozenset[PhaseState],
    at: datetime,
    details: dict[str, Any] | None = None,
    **changes: Any,
) -> PhaseAttempt | None:
    """Compare-and-set on the attempt's status: None when it is no longer one of
    ``expected`` (someone else moved it first)."""
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
            at=at,
        )
    )
    return changed


async def command_phase(
    uow: OrchestratorUnitOfWork,
    peers: Peers,
    batch: Batch,
    attempt: PhaseAttempt,
    essay_ids: list[str] | None,
    settings: dict[str, Any],
) -> None:
    """Tell essay_lifecycle to run the attempt (over ``essay_ids``, or every essay of the
    batch), with the phase's part of the snapshot's settings; sent once the caller commits."""
    command = PhaseCommandIn(
        attempt=attempt.attempt,
        last_phase=batch.next_phase(attempt.phase) is None,
        settings=settings.get(attempt.phase, {}),
        essay_ids=None if essay_ids is None else [uuid.UUID(e) for e in essay_ids],
    )
    await uow.call_peer(
        "POST",
        peers.phase_command_url(batch.id, attempt.phase),
        # no essay_ids: essay_lifecycle takes the phase's eligible essays
        command.model_dump(mode="json", exclude_none=True),
        f"phase:{batch.id}:{attempt.phase}:{attempt.attempt}",
    )
    metrics.PHASES_DISPATCHED.labels(attempt.phase).inc()
