"""The use cases as the unit tests call them: built by hand on the in-memory unit of work
(the app builds them through dishka)."""

from __future__ import annotations

import contextlib
import functools
import uuid

from service_kit.clock import Clock, SystemClock
from services.cj_assessment.domain import (
    AssessmentRequest,
    AssessmentView,
    Comparison,
    EssayIn,
    JudgeKind,
)
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.runs.refits import Refits, refit
from services.cj_assessment.use_cases import (
    AssessmentLimits,
    CreateAssessment,
    CreateAssessmentCommand,
    GetAssessment,
    GetAssessmentCommand,
    HandedPair,
    HandOutPair,
    HandOutPairCommand,
    NoPair,
    PairLease,
    RecordJudgement,
    RecordJudgementCommand,
)

LEASE = 600.0
MAX_ESSAY_CHARS = 200_000
CLOCK = SystemClock()  # leases are checked against stored times: the real one


def texts(n: int) -> list[EssayIn]:
    return [EssayIn(f"e{i}", text=f"Essay number {i}. " * (i + 1)) for i in range(n)]


def human(n: int = 4, **overrides: object) -> AssessmentRequest:
    values = {
        "essays": texts(n),
        "judge": JudgeKind.HUMAN,
        "min_comparisons_per_essay": 2,
        "max_comparisons_per_essay": 3,
        "callback_url": "http://els.test/cb",
        **overrides,
    }
    return AssessmentRequest(**values)  # type: ignore[arg-type]


def refits_in(uow: AssessmentUnitOfWork, clock: Clock = CLOCK) -> Refits:
    """Refits in the test's own unit of work (the app opens one per fit)."""
    return Refits(lambda: contextlib.nullcontext(uow), functools.partial(refit, clock=clock))


async def create(
    uow: AssessmentUnitOfWork,
    request: AssessmentRequest,
    key: str | None = None,
    *,
    max_essays: int = 100,
    clock: Clock = CLOCK,
) -> tuple[AssessmentView, bool]:
    limits = AssessmentLimits(max_essays=max_essays, max_essay_chars=MAX_ESSAY_CHARS)
    create_ = CreateAssessment(uow, limits, clock)
    created = await create_.execute(CreateAssessmentCommand(request, key))
    return created.view, created.created


async def get(uow: AssessmentUnitOfWork, assessment_id: uuid.UUID) -> AssessmentView:
    return await GetAssessment(uow).execute(GetAssessmentCommand(assessment_id))


async def next_pair(
    uow: AssessmentUnitOfWork,
    assessment_id: uuid.UUID,
    judge: str,
    lease: float = LEASE,
    clock: Clock = CLOCK,
) -> HandedPair | NoPair:
    hand_out = HandOutPair(uow, PairLease(lease), clock)
    return await hand_out.execute(HandOutPairCommand(assessment_id, judge))


async def record(
    uow: AssessmentUnitOfWork,
    assessment_id: uuid.UUID,
    pair_id: uuid.UUID,
    judge: str,
    winner: str,
    clock: Clock = CLOCK,
) -> tuple[Comparison, bool]:
    recorded = await RecordJudgement(uow, refits_in(uow, clock), clock).execute(
        RecordJudgementCommand(assessment_id, pair_id, judge, winner)
    )
    return recorded.comparison, recorded.created
