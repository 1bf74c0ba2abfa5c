"""batch_orchestrator's domain: batches, pipelines, phase attempts and their settings, the
start's conditions, phase outcomes, the final status rules and the results table.

Pure Python: no Quart, no SQLAlchemy, no httpx (the contracts' pydantic models are the
shapes of what peers send).
"""

from services.batch_orchestrator.domain.batches import (
    BATCH_TRANSITIONS,
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
    latest_attempt,
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
    UNRANKED,
    BatchResults,
    EssayResult,
    ResultPosition,
    accounting,
    csv_text,
    result_position,
    result_row,
    unaccounted_files,
)
from services.batch_orchestrator.domain.settings import (
    batch_settings,
    check_cj_settings,
)
from services.batch_orchestrator.domain.starting import (
    FILES_PENDING_RETRY_SECONDS,
    EssaySummary,
    Intake,
    start_refusal,
)

__all__ = [
    "BATCH_TRANSITIONS",
    "FILES_PENDING_RETRY_SECONDS",
    "FINISHED",
    "OPEN_PHASE",
    "PHASES",
    "PIPELINES",
    "REQUIRES",
    "RESULT_COLUMNS",
    "RUNNING_PHASE",
    "UNRANKED",
    "Batch",
    "BatchResults",
    "BatchStatus",
    "EssayResult",
    "EssaySummary",
    "Intake",
    "Outcome",
    "PhaseAttempt",
    "PhaseState",
    "ResultPosition",
    "Snapshot",
    "StatusChange",
    "accounting",
    "batch_end",
    "batch_settings",
    "check_cj_settings",
    "csv_text",
    "essay_failed",
    "final_status",
    "latest_attempt",
    "resolve_pipeline",
    "result_position",
    "result_row",
    "start_refusal",
    "unaccounted_files",
    "visible",
]
