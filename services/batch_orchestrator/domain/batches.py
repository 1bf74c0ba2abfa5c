"""Batches, their pipelines and phase attempts: the states, the moves allowed between them,
and what a batch keeps (settings, snapshot, status log)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from service_kit.errors import Conflict, InvalidInput, NotFound

if TYPE_CHECKING:
    from services.batch_orchestrator.domain.outcomes import Outcome


class BatchStatus(str, enum.Enum):
    AWAITING_CONTENT = "awaiting_content"
    READY = "ready"
    PROCESSING = "processing"
    COMPLETED = "completed"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    FAILED = "failed"
    CANCELLED = "cancelled"


class PhaseState(str, enum.Enum):
    PENDING = "pending"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    PARTIALLY_SUCCEEDED = "partially_succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


B, P = BatchStatus, PhaseState
FINISHED = frozenset({B.COMPLETED, B.COMPLETED_WITH_FAILURES, B.FAILED, B.CANCELLED})
OPEN_PHASE = frozenset({P.PENDING, P.DISPATCHED, P.IN_PROGRESS})
RUNNING_PHASE = frozenset({P.DISPATCHED, P.IN_PROGRESS})

# batch status moves forward only; the one way back is a retry of a finished batch
BATCH_TRANSITIONS: dict[BatchStatus, frozenset[BatchStatus]] = {
    B.AWAITING_CONTENT: frozenset({B.READY, B.CANCELLED}),
    B.READY: frozenset({B.PROCESSING, B.CANCELLED}),
    B.PROCESSING: frozenset({B.COMPLETED, B.COMPLETED_WITH_FAILURES, B.FAILED, B.CANCELLED}),
    B.COMPLETED_WITH_FAILURES: frozenset({B.PROCESSING}),  # retry
    B.FAILED: frozenset({B.PROCESSING}),  # retry
    B.COMPLETED: frozenset(),
    B.CANCELLED: frozenset(),
}

PHASES = ("spellcheck", "cj_assessment")
# a phase needs these before it
REQUIRES = {"spellcheck": (), "cj_assessment": ("spellcheck",)}
PIPELINES = {
    "spellcheck": ("spellcheck",),
    "cj_assessment": ("spellcheck", "cj_assessment"),
    "full": ("spellcheck", "cj_assessment"),
}


def resolve_pipeline(requested: list[str] | str) -> tuple[str, ...]:
    """A pipeline name or a list of phases -> the ordered phases, dependencies first."""
    names = [requested] if isinstance(requested, str) else list(requested)
    if isinstance(requested, str) and requested in PIPELINES:
        return PIPELINES[requested]
    if not names:
        raise InvalidInput("a pipeline needs at least one phase")
    unknown = [n for n in names if n not in REQUIRES]
    if unknown:
        raise InvalidInput(
            f"unknown phase(s): {', '.join(unknown)}; known phases: {', '.join(PHASES)}, "
            f"pipelines: {', '.join(PIPELINES)}"
        )
    wanted: set[str] = set()

    def need(phase: str) -> None:
        for dependency in REQUIRES[phase]:
            need(dependency)
        wanted.add(phase)

    for name in names:
        need(name)
    return tuple(p for p in PHASES if p in wanted)


@dataclass(frozen=True)
class Batch:
    id: str
    name: str
    owner: str
    language: str
    status: BatchStatus
    pipeline: tuple[str, ...]
    version: int = 1
    expected_essay_count: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    snapshot_id: uuid.UUID | None = None
    results_summary: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(kw_only=True)
    updated_at: datetime = field(kw_only=True)

    @property
    def pipeline_started(self) -> bool:
        return self.status not in (B.AWAITING_CONTENT, B.READY)

    def moved_to(self, status: BatchStatus, at: datetime, **changes: Any) -> Batch:
        if status not in BATCH_TRANSITIONS[self.status]:
            raise Conflict(
                f"batch {self.id} is {self.status.value}; it cannot become {status.value}",
                current_status=self.status.value,
            )
        return replace(self, status=status, version=self.version + 1, updated_at=at, **changes)

    def next_phase(self, phase: str) -> str | None:
        index = self.pipeline.index(phase)
        return self.pipeline[index + 1] if index + 1 < len(self.pipeline) else None

    def phase_after(self, outcome: Outcome) -> str | None:
        """The phase that runs next, over the essays that succeeded this one; None when the
        batch ends here (the last phase, or no essay left to carry on with)."""
        following = self.next_phase(outcome.phase)
        return following if outcome.succeeded else None

    def visible_to(self, caller: str | None) -> bool:
        """Only the owner, or an internal caller (who names no user), sees a batch."""
        return caller is None or caller == self.owner

    def snapshot_settings(self) -> dict[str, Any]:
        """What a pipeline runs with, frozen when it starts."""
        return {"language": self.language, "pipeline": list(self.pipeline), **self.settings}


def visible(batch: Batch | None, batch_id: str, caller: str | None) -> Batch:
    """The batch as ``caller`` may see it: to anyone but its owner it does not exist."""
    if batch is None or not batch.visible_to(caller):
        raise NotFound(f"no batch {batch_id}")
    return batch


@dataclass(frozen=True)
class PhaseAttempt:
    batch_id: str
    phase: str
    attempt: int
    status: PhaseState
    essays: int = 0
    succeeded: int = 0
    failed: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None


def latest_attempt(attempts: list[PhaseAttempt], phase: str) -> PhaseAttempt:
    return max((a for a in attempts if a.phase == phase), key=lambda a: a.attempt)


@dataclass(frozen=True)
class StatusChange:
    """One line of the append-only log: the batch's status (phase None) or a phase's."""

    batch_id: str
    phase: str | None
    attempt: int | None
    from_status: str | None
    to_status: str
    details: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class Snapshot:
    id: uuid.UUID
    batch_id: str
    settings: dict[str, Any]
    created_at: datetime
