"""batch_orchestrator's domain: batches, pipelines, phase attempts, the start's conditions,
phase outcomes, the final status rules and the results table.

Pure Python: no Quart, no SQLAlchemy, no httpx.
"""

from services.batch_orchestrator.domain.batches import (
    BATCH_TRANSITIONS,
    DEFAULT_CJ_SETTINGS,
    FINISHED,
    OPEN_PHASE,
    PHASES,
    PIPELINES,
    REQUIRES,
    RUNNING_PHASE,
    Batch,
    BatchStatus,
    PhaseAttempt,
    PhaseState,
    Snapshot,
    StatusChange,
    batch_settings,
    latest_attempt,
    now,
    resolve_pipeline,
    visible,
)
from services.batch_orchestrator.domain.outcomes import (
    Outcome,
    batch_end,
    essay_failed,
    final_status,
)
from services.batch_orchestrator.domain.results import (
    RESULT_COLUMNS,
    BatchResults,
    EssayResult,
    accounting,
    result_row,
    unaccounted_files,
)
from services.batch_orchestrator.domain.starting import (
    FILES_PENDING_RETRY_SECONDS,
    Intake,
    settled_essays,
    start_refusal,
)

__all__ = [
    "BATCH_TRANSITIONS",
    "DEFAULT_CJ_SETTINGS",
    "FILES_PENDING_RETRY_SECONDS",
    "FINISHED",
    "OPEN_PHASE",
    "PHASES",
    "PIPELINES",
    "REQUIRES",
    "RESULT_COLUMNS",
    "RUNNING_PHASE",
    "Batch",
    "BatchResults",
    "BatchStatus",
    "EssayResult",
    "Intake",
    "Outcome",
    "PhaseAttempt",
    "PhaseState",
    "Snapshot",
    "StatusChange",
    "accounting",
    "batch_end",
    "batch_settings",
    "essay_failed",
    "final_status",
    "latest_attempt",
    "now",
    "resolve_pipeline",
    "result_row",
    "settled_essays",
    "start_refusal",
    "unaccounted_files",
    "visible",
]
