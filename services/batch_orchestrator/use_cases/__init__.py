"""Every operation a teacher or a peer service can trigger on batch_orchestrator: one use
case each (routes only parse, call one, and map its result)."""

from services.batch_orchestrator.use_cases.batches import (
    BatchView,
    CancelBatch,
    CancelBatchCommand,
    CreateBatch,
    CreateBatchCommand,
    GetBatch,
    GetBatchCommand,
    GetBatchGate,
    GetBatchGateCommand,
    GetBatchHistory,
    GetBatchHistoryCommand,
    ListBatches,
    ListBatchesCommand,
    ListBatchesResult,
)
from services.batch_orchestrator.use_cases.phase_outcomes import (
    ApplyPhaseOutcome,
    ApplyPhaseOutcomeCommand,
    ApplyPhaseOutcomeResult,
)
from services.batch_orchestrator.use_cases.pipeline import (
    RETRY_AFTER_SECONDS,
    RetryPhase,
    RetryPhaseCommand,
    StartPipeline,
    StartPipelineCommand,
)
from services.batch_orchestrator.use_cases.results import (
    ExportResultsCsv,
    ExportResultsCsvCommand,
    ExportResultsCsvResult,
    GetResults,
    GetResultsCommand,
    ListResults,
    ListResultsCommand,
    ListResultsResult,
)

__all__ = [
    "RETRY_AFTER_SECONDS",
    "ApplyPhaseOutcome",
    "ApplyPhaseOutcomeCommand",
    "ApplyPhaseOutcomeResult",
    "BatchView",
    "CancelBatch",
    "CancelBatchCommand",
    "CreateBatch",
    "CreateBatchCommand",
    "ExportResultsCsv",
    "ExportResultsCsvCommand",
    "ExportResultsCsvResult",
    "GetBatch",
    "GetBatchCommand",
    "GetBatchGate",
    "GetBatchGateCommand",
    "GetBatchHistory",
    "GetBatchHistoryCommand",
    "GetResults",
    "GetResultsCommand",
    "ListBatches",
    "ListBatchesCommand",
    "ListBatchesResult",
    "ListResults",
    "ListResultsCommand",
    "ListResultsResult",
    "RetryPhase",
    "RetryPhaseCommand",
    "StartPipeline",
    "StartPipelineCommand",
]
