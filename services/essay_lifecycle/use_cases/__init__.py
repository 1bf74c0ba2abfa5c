"""Every operation essay_lifecycle offers, one use case each (routes call nothing else).

batches        RegisterBatch, CancelBatch, GetBatchSummary
files          RecordFileNotice, ForgetDeletedFile
phases         StartPhase
phase_results  ApplySpellcheckResult, ApplyAssessmentResult
essays         GetEssay, GetTimeline, ListEssays

phase_outcomes and transitions are steps these share: counting essays out of their run
(the last one sends the outcome) and saving a transition.
"""

from services.essay_lifecycle.use_cases.batches import (
    CancelBatch,
    CancelBatchCommand,
    CancelBatchResult,
    GetBatchSummary,
    GetBatchSummaryCommand,
    RegisterBatch,
    RegisterBatchCommand,
)
from services.essay_lifecycle.use_cases.essays import (
    GetEssay,
    GetEssayCommand,
    GetTimeline,
    GetTimelineCommand,
    ListEssays,
    ListEssaysCommand,
    ListEssaysResult,
)
from services.essay_lifecycle.use_cases.files import (
    ForgetDeletedFile,
    ForgetDeletedFileCommand,
    RecordFileNotice,
    RecordFileNoticeCommand,
    RecordFileNoticeResult,
)
from services.essay_lifecycle.use_cases.phase_results import (
    ApplyAssessmentResult,
    ApplyAssessmentResultCommand,
    ApplySpellcheckResult,
    ApplySpellcheckResultCommand,
)
from services.essay_lifecycle.use_cases.phases import StartPhase, StartPhaseCommand

__all__ = [
    "ApplyAssessmentResult",
    "ApplyAssessmentResultCommand",
    "ApplySpellcheckResult",
    "ApplySpellcheckResultCommand",
    "CancelBatch",
    "CancelBatchCommand",
    "CancelBatchResult",
    "ForgetDeletedFile",
    "ForgetDeletedFileCommand",
    "GetBatchSummary",
    "GetBatchSummaryCommand",
    "GetEssay",
    "GetEssayCommand",
    "GetTimeline",
    "GetTimelineCommand",
    "ListEssays",
    "ListEssaysCommand",
    "ListEssaysResult",
    "RecordFileNotice",
    "RecordFileNoticeCommand",
    "RecordFileNoticeResult",
    "RegisterBatch",
    "RegisterBatchCommand",
    "StartPhase",
    "StartPhaseCommand",
]
