"""Refit, stop, complete, fail: what happens after judgements, for people and machines alike.

Callers hold the assessment's row lock (or check its version) and commit; these functions
only write into the open unit of work (``give_up`` excepted: it is a transaction of its own).
The time of each change (``at``) is the caller's clock's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from service_kit.logging import get_logger
from services.cj_assessment import method, metrics
from services.cj_assessment.domain import (
    Assessment,
    AssessmentEssay,
    AssessmentStatus,
    Comparison,
    ComparisonStatus,
    GradeProjection,
    JudgeKind,
    JudgeRecord,
    anchors_of,
    completed_body,
    exposure,
    failed_body,
    result_key,
)
from services.cj_assessment.method import Estimate, Judgement
from services.cj_assessment.protocols import AssessmentUnitOfWork, EssayFit

log = get_logger("cj_assessment.runner")


@dataclass(frozen=True)
class Progress:
    judgements: list[Judgement]
    estimate: Estimate | None  # None before the first verdict
    exposure: dict[str, int]
    next_pairs: list[tuple[str, str]]
    stop: str | None
    # an LLM whose answers carry no information: the assessment must fail with this reason
    failure: str | None = None


def judgements_of(comparisons: Sequence[Comparison]) -> list[Judgement]:
    """The answered comparisons as judgements, in the order they were answered."""
    answered = [c for c in comparisons if c.status is ComparisonStatus.ANSWERED]
    answered.sort(key=lambda c: c.answered_at or c.created_at)  # stable: ties keep their order
    return [c.judgement() for c in answered]


def _progress(
    assessment: Assessment,
    essays: Sequence[AssessmentEssay],
    comparisons: Sequence[Comparison],
    round_size: int,
) -> Progress:
    ids = [e.essay_id for e in essays]
    judgements = judgements_of(comparisons)
    if assessment.excluded_judges:  # a teacher left these judges out of the fit
        left_out = set(assessment.excluded_judges)
        judgements = [j for j in judgements if j.judge_id not in left_out]
    # before the first verdict there is nothing to fit, and nothing can be done yet
    estimate = (
        method.estimate(ids, judgements, anchors_of(essays) or None, assessment.grade_scale)
        if judgements
        else None
    )
    failure = None
    if estimate is not None:
        kept = set(assessment.kept_judges)
        flagged = [j for j in estimate.judges if j.degenerate and j.judge_id not in kept]
        if flagged and assessment.judge is JudgeKind.LLM:
            failure = f"the model {flagged[0].degenerate}: its judgements carry no information"
        elif flagged and assessment.judge is JudgeKind.HUMAN:
            # left out of the fit (and reported) until a teacher excludes or keeps them
            left_out = {j.judge_id for j in flagged}
            others = [j for j in judgements if j.judge_id not in left_out]
            # (nobody else judged: keep them rather than have no scale; they stay flagged)
            if others:
                judgements = others
                refitted = method.estimate(
                    ids, judgements, anchors_of(essays) or None, assessment.grade_scale
                )
                reports = sorted([*refitted.judges, *flagged], key=lambda j: j.judge_id)
                estimate = dataclasses.replace(refitted, judges=reports)
    counts = exposure(essays, judgements)
    pairs = method.choose_pairs(
        ids,
        judgements,
        estimate,
        max(1, round_size),
        seed=assessment.version,
        max_comparisons_per_essay=assessment.max_comparisons_per_essay,
    )
    stop = None
    if estimate is not None:
        stop = method.stop_reason(
            estimate,
            assessment.settings,
            counts,
            pairs_left=bool(pairs),
            reliability_before=lambda: method.reliability_before_latest(ids, judgements),
        )
    return Progress(judgements, estimate, counts, pairs, stop, failure)


async def assess_progress(
    assessment: Assessment,
    essays: Sequence[AssessmentEssay],
    comparisons: Sequence[Comparison],
    round_size: int = 1,
) -> Progress:
    """Fit, decide whether to stop and, if not, the next ``round_size`` pairs. The numpy work
    runs off the event loop so other requests keep being answered meanwhile."""
    started = time.perf_counter()
    found = await asyncio.to_thread(_progress, assessment, essays, comparisons, round_size)
    metrics.FIT_DURATION.observe(time.perf_counter() - started)
    return found


def stored_estimate(assessment: Assessment, essays: Sequence[AssessmentEssay]) -> Estimate | None:
    """The last fit, as saved with the essays: enough for pairing between fits."""
    ranked = [
        method.RankedEssay(e.essay_id, e.score, e.se, e.rank or 0, e.comparisons)
        for e in essays
        if e.score is not None and e.se is not None
    ]
    if not ranked:
        return None
    return Estimate(
        ranking=ranked,
        reliability=assessment.reliability,
        reliability_method=assessment.reliability_method or "",
        ssr=assessment.ssr,
        comparisons=0,
        judges=[],
        position_bias=assessment.position_bias,
    )


async def save_fit(
    uow: AssessmentUnitOfWork, assessment: Assessment, estimate: Estimate, *, at: datetime
) -> Assessment:
    """Store the scale, judge report and grades; returns the assessment with its figures
    (the caller updates it)."""
    fits = [EssayFit(r.essay_id, r.score, r.se, r.rank, r.comparisons) for r in estimate.ranking]
    kinds = {c.judge_id: c.judge_kind for c in await uow.assessments.comparisons(assessment.id)}
    judges = [
        JudgeRecord(
            assessment.id,
            j.judge_id,
            kinds.get(j.judge_id, assessment.judge),
            j.judgements,
            j.infit,
            j.outfit,
            infit_se=j.infit_se,
            outfit_se=j.outfit_se,
            misfit=j.misfit,
            discrimination=j.discrimination,
            discrimination_se=j.discrimination_se,
            position_bias=j.position_bias,
            position_bias_se=j.position_bias_se,
            degenerate=j.degenerate,
        )
        for j in estimate.judges
    ]
    projections = [
        GradeProjection(assessment.id, r.essay_id, r.grade, dict(r.grade_probabilities or {}))
        for r in estimate.ranking
        if r.grade is not None
    ]
    await uow.assessments.save_fit(assessment.id, fits, judges, projections)
    return dataclasses.replace(
        assessment,
        reliability=estimate.reliability,
        reliability_method=estimate.reliability_method,
        ssr=estimate.ssr,
        position_bias=estimate.position_bias,
        updated_at=at,
    )


async def record_fit(
    uow: AssessmentUnitOfWork, assessment: Assessment, estimate: Estimate, *, at: datetime
) -> Assessment | None:
    """Save a fit of a running assessment; None if its version moved on meanwhile."""
    updated = await save_fit(uow, assessment, estimate, at=at)
    if not await uow.assessments.update(updated, expected_version=assessment.version):
        return None
    return dataclasses.replace(updated, version=assessment.version + 1)


async def complete(
    uow: AssessmentUnitOfWork,
    assessment: Assessment,
    essays: Sequence[AssessmentEssay],
    estimate: Estimate,
    stop: str,
    *,
    at: datetime,
) -> Assessment | None:
    """Final scale, status completed, the ranking queued for the callback. None if the
    assessment's version moved on meanwhile (someone else finished it)."""
    updated = dataclasses.replace(
        await save_fit(uow, assessment, estimate, at=at),
        status=AssessmentStatus.COMPLETED,
        stop_reason=stop,
        completed_at=at,
        updated_at=at,
    )
    if not await uow.assessments.update(updated, expected_version=assessment.version):
        return None
    if assessment.callback_url:
        body = completed_body(updated, essays, estimate)
        await uow.call_peer("POST", assessment.callback_url, body, result_key(assessment.id))
    return updated


async def fail(
    uow: AssessmentUnitOfWork, assessment: Assessment, reason: str, *, at: datetime
) -> Assessment | None:
    """Status failed with its reason, the failure queued for the callback. None if the
    assessment had finished already."""
    current = await uow.assessments.get(assessment.id, for_update=True)
    if current is None or current.finished:
        return None
    updated = dataclasses.replace(
        current,
        status=AssessmentStatus.FAILED,
        failure_reason=reason,
        completed_at=at,
        updated_at=at,
    )
    if not await uow.assessments.update(updated, expected_version=current.version):
        return None
    if current.callback_url:
        body = failed_body(updated, reason)
        await uow.call_peer("POST", current.callback_url, body, result_key(current.id))
    return updated


def count_finished(assessment: Assessment) -> None:
    """Metrics for an assessment that has just completed or failed (after commit)."""
    metrics.ASSESSMENTS.labels(assessment.status.value).inc()
    if assessment.status is AssessmentStatus.COMPLETED and assessment.reliability is not None:
        metrics.RELIABILITY_AT_COMPLETION.observe(assessment.reliability)


async def give_up(
    uow: AssessmentUnitOfWork, assessment_id: uuid.UUID, reason: str, *, at: datetime
) -> None:
    """Fail the assessment (if it has not finished) and tell its caller why, in a transaction
    of its own."""
    async with uow:
        current = await uow.assessments.get(assessment_id)
        failed = await fail(uow, current, reason, at=at) if current else None
        await uow.commit()
    if failed is not None:
        log.warning("assessment_failed", assessment_id=str(assessment_id), reason=reason)
        count_finished(failed)
