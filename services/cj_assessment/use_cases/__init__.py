"""Every operation on an assessment, one use case each: a person (a teacher or a judge), a
peer service (essay_lifecycle) or the run_assessment job triggers exactly one of these."""

from services.cj_assessment.use_cases.assessments import (
    AssessmentLimits,
    CreateAssessment,
    CreateAssessmentCommand,
    CreateAssessmentResult,
    GetAssessment,
    GetAssessmentCommand,
    ListAssessments,
    ListAssessmentsCommand,
    ListAssessmentsResult,
)
from services.cj_assessment.use_cases.human_judging import (
    EssayText,
    HandedPair,
    HandOutPair,
    HandOutPairCommand,
    NoPair,
    PairLease,
    RecordJudgement,
    RecordJudgementCommand,
    RecordJudgementResult,
)
from services.cj_assessment.use_cases.judges import (
    ExcludeJudge,
    ExcludeJudgeCommand,
    IncludeJudge,
    IncludeJudgeCommand,
)
from services.cj_assessment.use_cases.ranking import (
    ExportRankingCsv,
    ExportRankingCsvCommand,
    ExportRankingCsvResult,
    ListRanking,
    ListRankingCommand,
    ListRankingResult,
    RankedEssay,
)
from services.cj_assessment.use_cases.running import (
    GiveUpAssessment,
    GiveUpAssessmentCommand,
    RunAssessment,
    RunAssessmentCommand,
    RunLimits,
)

__all__ = [
    "AssessmentLimits",
    "CreateAssessment",
    "CreateAssessmentCommand",
    "CreateAssessmentResult",
    "EssayText",
    "ExcludeJudge",
    "ExcludeJudgeCommand",
    "ExportRankingCsv",
    "ExportRankingCsvCommand",
    "ExportRankingCsvResult",
    "GetAssessment",
    "GetAssessmentCommand",
    "GiveUpAssessment",
    "GiveUpAssessmentCommand",
    "HandOutPair",
    "HandOutPairCommand",
    "HandedPair",
    "IncludeJudge",
    "IncludeJudgeCommand",
    "ListAssessments",
    "ListAssessmentsCommand",
    "ListAssessmentsResult",
    "ListRanking",
    "ListRankingCommand",
    "ListRankingResult",
    "NoPair",
    "PairLease",
    "RankedEssay",
    "RecordJudgement",
    "RecordJudgementCommand",
    "RecordJudgementResult",
    "RunAssessment",
    "RunAssessmentCommand",
    "RunLimits",
]
