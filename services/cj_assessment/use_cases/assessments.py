"""Create an assessment, read one, list them."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import NotFound
from service_kit.pagination import clamp_limit, page, position_after
from services.cj_assessment import metrics
from services.cj_assessment.domain import (
    CREATE_SCOPE,
    RUN_ASSESSMENT,
    Assessment,
    AssessmentRequest,
    AssessmentStatus,
    AssessmentView,
    ComparisonStatus,
    JudgeKind,
    exposure,
    plan_assessment,
)
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.runs import progress


@dataclass(frozen=True, slots=True)
class AssessmentLimits:
    """How large an assessment may be (settings)."""

    max_essays: int
    max_essay_chars: int


async def read_view(uow: AssessmentUnitOfWork, assessment_id: uuid.UUID) -> AssessmentView:
    """The assessment with everything GET shows, in the open unit of work."""
    repo = uow.assessments
    assessment = await repo.get(assessment_id)
    if assessment is None:
        raise NotFound(f"no assessment with id {assessment_id}")
    comparisons = await repo.comparisons(assessment_id)
    statuses = [c.status for c in comparisons]
    essays = await repo.essays(assessment_id)
    return AssessmentView(
        assessment=assessment,
        essays=essays,
        judges=await repo.judges(assessment_id),
        projections={p.essay_id: p for p in await repo.projections(assessment_id)},
        answered=statuses.count(ComparisonStatus.ANSWERED),
        failed=statuses.count(ComparisonStatus.FAILED),
        exposure=exposure(essays, progress.judgements_of(comparisons)),
    )


@dataclass(frozen=True, slots=True)
class CreateAssessmentCommand:
    request: AssessmentRequest
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class CreateAssessmentResult:
    view: AssessmentView
    created: bool  # False: an earlier request with the same key made it


class CreateAssessment:
    """Store the assessment and its essays in one transaction and, unless people can start
    judging at once, queue the run_assessment job; with an Idempotency-Key, the same key
    again returns the assessment the first request made."""

    def __init__(self, uow: AssessmentUnitOfWork, limits: AssessmentLimits, clock: Clock) -> None:
        self._uow = uow
        self._limits = limits
        self._clock = clock

    async def execute(self, command: CreateAssessmentCommand) -> CreateAssessmentResult:
        request, key, uow = command.request, command.idempotency_key, self._uow
        assessment, essays = plan_assessment(
            request,
            max_essays=self._limits.max_essays,
            max_essay_chars=self._limits.max_essay_chars,
            at=self._clock.now(),
        )
        needs_texts = any(e.text is None for e in essays)
        if request.judge is JudgeKind.HUMAN and not needs_texts:
            # nothing to fetch and nobody to run: judges can start at once
            assessment = dataclasses.replace(assessment, status=AssessmentStatus.RUNNING)
        async with uow:
            if key is not None:
                answer = await uow.requests.claim(key, CREATE_SCOPE)
                if answer is not None:
                    view = await read_view(uow, uuid.UUID(answer["assessment_id"]))
                    return CreateAssessmentResult(view, created=False)
            await uow.assessments.add(assessment, essays)
            if assessment.status is AssessmentStatus.PREPARING:
                payload = {"assessment_id": str(assessment.id)}
                await uow.schedule(RUN_ASSESSMENT, payload, f"run:{assessment.id}")
            if key is not None:
                await uow.requests.record(key, CREATE_SCOPE, {"assessment_id": str(assessment.id)})
            view = await read_view(uow, assessment.id)
            await uow.commit()
        metrics.ASSESSMENTS.labels("created").inc()
        return CreateAssessmentResult(view, created=True)


@dataclass(frozen=True, slots=True)
class GetAssessmentCommand:
    assessment_id: uuid.UUID


class GetAssessment:
    def __init__(self, uow: AssessmentUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetAssessmentCommand) -> AssessmentView:
        async with self._uow:
            return await read_view(self._uow, command.assessment_id)


@dataclass(frozen=True, slots=True)
class ListAssessmentsCommand:
    batch_id: str | None = None
    limit: int | None = None
    cursor: str | None = None  # from the page before: where this one starts


@dataclass(frozen=True, slots=True)
class ListAssessmentsResult:
    items: list[Assessment]
    next_cursor: str | None  # None on the last page


class ListAssessments:
    """One page of assessments (of a batch, or all) in creation order."""

    def __init__(self, uow: AssessmentUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListAssessmentsCommand) -> ListAssessmentsResult:
        limit = clamp_limit(command.limit)
        after = position_after(command.cursor)
        async with self._uow:
            found = await self._uow.assessments.list_for_batch(
                command.batch_id, after=after, limit=limit + 1
            )
        shown, cursor = page(found, limit, lambda a: (a.created_at, a.id))
        return ListAssessmentsResult(shown, cursor)
