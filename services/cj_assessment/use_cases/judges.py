"""A teacher leaves a judge out of the fit, or takes them back in."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import Conflict, NotFound
from services.cj_assessment.domain import Assessment, AssessmentView, ComparisonStatus
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.runs import progress
from services.cj_assessment.use_cases.assessments import read_view


@dataclass(frozen=True, slots=True)
class ExcludeJudgeCommand:
    assessment_id: uuid.UUID
    judge_id: str


@dataclass(frozen=True, slots=True)
class IncludeJudgeCommand:
    assessment_id: uuid.UUID
    judge_id: str


async def _set_excluded(
    uow: AssessmentUnitOfWork, clock: Clock, assessment_id: uuid.UUID, judge_id: str, out: bool
) -> AssessmentView:
    """Change whether the judge is left out, refit the scale on the judgements that count
    (the judge's stay stored either way) and return the assessment as GET shows it."""
    async with uow:
        repo = uow.assessments
        assessment = await repo.get(assessment_id, for_update=True)
        if assessment is None:
            raise NotFound(f"no assessment with id {assessment_id}")
        comparisons = await repo.comparisons(assessment_id)
        if not any(
            c.judge_id == judge_id and c.status is ComparisonStatus.ANSWERED for c in comparisons
        ):
            raise NotFound(f"judge {judge_id} has no judgements in assessment {assessment_id}")
        if assessment.finished:
            raise Conflict(
                f"assessment {assessment_id} is {assessment.status.value}: its result has been "
                "sent and is not refitted"
            )
        excluded = [j for j in assessment.excluded_judges if j != judge_id]
        kept = [j for j in assessment.kept_judges if j != judge_id]
        if out:
            excluded.append(judge_id)
        else:  # kept in the fit even if flagged as carrying no information
            kept.append(judge_id)
        changed = dataclasses.replace(assessment, excluded_judges=excluded, kept_judges=kept)
        if (sorted(excluded), sorted(kept)) != (
            sorted(assessment.excluded_judges),
            sorted(assessment.kept_judges),
        ):
            await _refit(uow, clock, changed)
        view = await read_view(uow, assessment_id)
        await uow.commit()
    return view


async def _refit(uow: AssessmentUnitOfWork, clock: Clock, assessment: Assessment) -> None:
    essays = await uow.assessments.essays(assessment.id)
    comparisons = await uow.assessments.comparisons(assessment.id)
    found = await progress.assess_progress(assessment, essays, comparisons)
    if found.estimate is not None:
        # (under the row lock: the version cannot have moved)
        await progress.record_fit(uow, assessment, found.estimate, at=clock.now())
    else:  # nothing left to fit: keep the last figures, record the exclusion
        updated = dataclasses.replace(assessment, updated_at=clock.now())
        await uow.assessments.update(updated, expected_version=assessment.version)


class ExcludeJudge:
    """Leave a judge's judgements out of the scale (POST .../judges/{judge_id}/exclude);
    the scale is refitted at once and the report marks the judge excluded."""

    def __init__(self, uow: AssessmentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: ExcludeJudgeCommand) -> AssessmentView:
        return await _set_excluded(
            self._uow, self._clock, command.assessment_id, command.judge_id, True
        )


class IncludeJudge:
    """Undo ExcludeJudge (DELETE .../judges/{judge_id}/exclude): the judge's judgements
    count again and the scale is refitted with them."""

    def __init__(self, uow: AssessmentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: IncludeJudgeCommand) -> AssessmentView:
        return await _set_excluded(
            self._uow, self._clock, command.assessment_id, command.judge_id, False
        )
