"""batch_orchestrator's domain: batches, pipelines, phase attempts and final status rules.

Pure Python: no Quart, no SQLAlchemy.
"""

from __future__ import annotations

import csv
import enum
import io
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from service_kit.errors import Conflict, InvalidInput, NotFound


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


def now() -> datetime:
    return datetime.now(UTC)


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
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)

    @property
    def pipeline_started(self) -> bool:
        return self.status not in (B.AWAITING_CONTENT, B.READY)

    def moved_to(self, status: BatchStatus, **changes: Any) -> Batch:
        if status not in BATCH_TRANSITIONS[self.status]:
            raise Conflict(
                f"batch {self.id} is {self.status.value}; it cannot become {status.value}",
                current_status=self.status.value,
            )
        return replace(self, status=status, version=self.version + 1, updated_at=now(), **changes)

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


# cj_assessment's settings when the teacher's pipeline has the phase but names none
DEFAULT_CJ_SETTINGS: dict[str, Any] = {
    "judge": "baseline",
    "max_comparisons_per_essay": 20,
    "min_comparisons_per_essay": 5,
    "target_reliability": 0.8,
    "anchors": [],
    "grade_scale": None,
    "instructions": None,
}


def batch_settings(
    pipeline: tuple[str, ...], spellcheck: dict[str, Any], cj: dict[str, Any] | None
) -> dict[str, Any]:
    """The settings a batch keeps, one entry per phase of its pipeline that takes any: the
    spellcheck settings always, cj_assessment's (given or the defaults) when it runs."""
    if cj is not None and "cj_assessment" not in pipeline:
        raise InvalidInput("cj settings were given but the pipeline has no cj_assessment")
    settings: dict[str, Any] = {"spellcheck": spellcheck}
    if "cj_assessment" in pipeline:
        settings["cj_assessment"] = dict(DEFAULT_CJ_SETTINGS) if cj is None else cj
    return settings


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
    at: datetime = field(default_factory=now)


@dataclass(frozen=True)
class Snapshot:
    id: uuid.UUID
    batch_id: str
    settings: dict[str, Any]
    created_at: datetime = field(default_factory=now)


@dataclass(frozen=True)
class EssayResult:
    essay_id: str
    batch_id: str
    file_id: str | None
    filename: str | None
    status: str
    spelling: dict[str, Any] | None
    corrected_text_content_id: str | None
    assessment: dict[str, Any] | None
    updated_at: datetime = field(default_factory=now)


@dataclass(frozen=True)
class Outcome:
    phase: str
    attempt: int
    succeeded: list[str]
    failed: list[dict[str, Any]]
    results: dict[str, dict[str, Any]]
    summary: dict[str, Any]

    @property
    def phase_state(self) -> PhaseState:
        if not self.succeeded:
            return P.FAILED
        return P.PARTIALLY_SUCCEEDED if self.failed else P.SUCCEEDED

    def essay_results(self, batch_id: str) -> list[EssayResult]:
        """The essays' rows of the results table as this outcome reports them."""
        return [
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
            for essay_id, r in self.results.items()
        ]


def essay_failed(status: str) -> bool:
    """An essay status reported by essay_lifecycle that leaves the essay without a result."""
    return status.endswith("_failed") or status == "cancelled"


def final_status(
    attempts: list[PhaseAttempt],
    essay_statuses: list[str],
    rejected: int = 0,
    unaccounted: int = 0,
) -> BatchStatus:
    """The batch's end. A phase in which no essay ever succeeded fails the batch; any essay
    left failed (in any phase, by any attempt), any file rejected before the pipeline
    started, or any accepted file missing from the results, makes it complete with failures."""
    by_phase: dict[str, list[PhaseAttempt]] = {}
    for attempt in attempts:
        if attempt.status not in (P.PENDING, P.SKIPPED, P.CANCELLED):
            by_phase.setdefault(attempt.phase, []).append(attempt)
    if any(sum(run.succeeded for run in runs) == 0 for runs in by_phase.values()):
        return B.FAILED
    if rejected or unaccounted or any(essay_failed(status) for status in essay_statuses):
        return B.COMPLETED_WITH_FAILURES
    return B.COMPLETED


# How soon a start refused for files still being read is worth trying again.
FILES_PENDING_RETRY_SECONDS = 2


@dataclass(frozen=True)
class Intake:
    """file_service's account of a batch's files (the source of truth for a start)."""

    sealed: bool
    files: int
    processing: int
    ready: int
    rejected: int


def start_refusal(batch_id: str, intake: Intake, essays_known: int) -> Conflict | None:
    """Why a pipeline may not start yet, or None. It starts only once every accepted file
    has its final outcome and essay_lifecycle has heard of every one of them, so that the
    pipeline covers every file the batch accepted."""
    if intake.processing:
        return Conflict(
            f"{intake.processing} of the batch's {intake.files} files are still being "
            "processed; start again when they are done",
            code="files_processing",
            files=intake.files,
            files_processing=intake.processing,
            retry_after=FILES_PENDING_RETRY_SECONDS,
        )
    if intake.ready == 0:
        return Conflict(
            f"batch {batch_id} has no essay ready"
            + (f": all {intake.files} files were rejected" if intake.files else ": upload files"),
            code="no_essays",
            files=intake.files,
            files_rejected=intake.rejected,
        )
    if essays_known != intake.files:
        return Conflict(
            f"essay_lifecycle has heard of {essays_known} of the batch's {intake.files} "
            "files so far; start again in a moment",
            code="files_processing",
            files=intake.files,
            files_processing=abs(intake.files - essays_known),
            retry_after=FILES_PENDING_RETRY_SECONDS,
        )
    return None


def unaccounted_files(accepted_files: int | None, results: int, rejected: int) -> int:
    """Accepted files that are neither in the results nor rejected (0 for batches that
    started before the count was kept)."""
    if accepted_files is None:
        return 0
    return max(accepted_files - results - rejected, 0)


def batch_end(
    batch: Batch, attempts: list[PhaseAttempt], essay_statuses: list[str]
) -> tuple[BatchStatus, dict[str, Any]]:
    """How a batch ends once no phase is left to run: its final status, and its results
    summary with the accepted files missing from the results counted (when any are)."""
    summary = batch.results_summary
    rejected = int(summary.get("rejected_essays", 0))
    accepted = summary.get("accepted_files")
    missing = unaccounted_files(
        None if accepted is None else int(accepted), len(essay_statuses), rejected
    )
    if missing:
        summary = {**summary, "unaccounted_files": missing}
    status = final_status(attempts, essay_statuses, rejected=rejected, unaccounted=missing)
    return status, summary


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


# the results table: one row per essay, these columns (the CSV's header, in this order)
RESULT_COLUMNS = (
    "essay_id",
    "filename",
    "status",
    "word_count",
    "error_count",
    "errors_per_100_words",
    "score",
    "se",
    "rank",
    "grade",
)


def result_row(result: EssayResult) -> dict[str, Any]:
    spelling, assessment = result.spelling or {}, result.assessment or {}
    return {
        "essay_id": result.essay_id,
        "filename": result.filename,
        "status": result.status,
        "word_count": spelling.get("word_count"),
        "error_count": spelling.get("error_count"),
        "errors_per_100_words": spelling.get("errors_per_100_words"),
        "score": assessment.get("score"),
        "se": assessment.get("se"),
        "rank": assessment.get("rank"),
        "grade": assessment.get("grade"),
    }


@dataclass(frozen=True)
class BatchResults:
    """A batch's results table: ranked essays first (by rank), the rest by filename."""

    batch: Batch
    essays: list[EssayResult]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return sorted(
            (result_row(r) for r in self.essays),
            key=lambda r: (r["rank"] is None, r["rank"] or 0, r["filename"] or ""),
        )

    @property
    def accounting(self) -> dict[str, int | None]:
        return accounting(self.batch, self.essays)

    @property
    def reliability(self) -> Any:
        return self.batch.results_summary.get("cj_assessment", {}).get("reliability")

    @property
    def comparisons(self) -> Any:
        return self.batch.results_summary.get("cj_assessment", {}).get("comparisons")

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()


def settled_essays(summary: dict[str, Any]) -> tuple[int, int]:
    """From essay_lifecycle's summary: the essays ready and those whose content was
    rejected (together, the files it has heard of)."""
    by_status = summary.get("by_status", {})
    return int(by_status.get("ready", 0)), int(by_status.get("content_rejected", 0))
