"""People judging over REST: hand a judge the next pair, record their verdict.

Both run under the assessment's row lock (one hand-out or verdict at a time per
assessment); the refit after a verdict runs outside it (runs/refits.py).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from service_kit.clock import Clock
from service_kit.errors import Conflict, NotFound
from services.cj_assessment import method, metrics
from services.cj_assessment.domain import (
    Assessment,
    AssessmentEssay,
    AssessmentStatus,
    Comparison,
    ComparisonStatus,
    JudgeKind,
    pair_key,
)
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.runs import progress
from services.cj_assessment.runs.refits import Refits, refit

RETRY_SECONDS = 2


@dataclass(frozen=True, slots=True)
class PairLease:
    """How long a judge holds a pair before it is handed to someone else (settings)."""

    seconds: float


@dataclass(frozen=True)
class EssayText:
    essay_id: str
    text: str


@dataclass(frozen=True)
class HandedPair:
    pair_id: uuid.UUID
    essay_a: EssayText
    essay_b: EssayText
    lease_until: datetime


@dataclass(frozen=True)
class NoPair:
    """Nothing to judge: ``finished`` says whether more will come (False: others hold the
    remaining pairs right now, ask again later)."""

    finished: bool


async def _judged_by_people(uow: AssessmentUnitOfWork, assessment_id: uuid.UUID) -> Assessment:
    """The assessment, locked for this transaction: one hand-out or verdict at a time."""
    assessment = await uow.assessments.get(assessment_id, for_update=True)
    if assessment is None:
        raise NotFound(f"no assessment with id {assessment_id}")
    if assessment.judge is not JudgeKind.HUMAN:
        raise Conflict(
            f"assessment {assessment_id} is judged by the {assessment.judge.value} judge"
        )
    return assessment


@dataclass(frozen=True, slots=True)
class HandOutPairCommand:
    assessment_id: uuid.UUID
    judge_id: str


class HandOutPair:
    """The pair this judge should judge next. A pair whose lease lapsed is handed out again
    (same pair id) before a new one is chosen; a judge never gets a pair of essays twice."""

    def __init__(self, uow: AssessmentUnitOfWork, lease: PairLease, clock: Clock) -> None:
        self._uow = uow
        self._lease = lease
        self._clock = clock

    async def execute(self, command: HandOutPairCommand) -> HandedPair | NoPair:
        uow, assessment_id, judge_id = self._uow, command.assessment_id, command.judge_id
        async with uow:
            assessment = await _judged_by_people(uow, assessment_id)
            if assessment.status is AssessmentStatus.PREPARING:
                raise Conflict(
                    "the essays' texts are still being fetched", retry_after=RETRY_SECONDS
                )
            if assessment.finished:
                return NoPair(finished=True)
            rows = await uow.assessments.comparisons(assessment_id)
            stamp = self._clock.now()
            held = [
                c
                for c in rows
                if c.judge_id == judge_id
                and c.status is ComparisonStatus.LEASED
                and _live(c, stamp)
            ]
            if held:  # asked again before answering: the same pair, not a second one
                return await _handed(uow, held[0])
            lease_until = stamp + timedelta(seconds=self._lease.seconds)
            pair = _lapsed_pair(rows, judge_id, stamp) or _new_pair(
                assessment, await uow.assessments.essays(assessment_id), rows, judge_id, stamp
            )
            leased = any(c.status is ComparisonStatus.LEASED and _live(c, stamp) for c in rows)
            if pair is None and leased:
                return NoPair(finished=False)  # the open pairs are with other judges now
            if pair is not None:
                pair_id, essay_a, essay_b = pair
                handed = Comparison(
                    pair_id=pair_id,
                    judge_id=judge_id,
                    assessment_id=assessment_id,
                    essay_a=essay_a,
                    essay_b=essay_b,
                    judge_kind=JudgeKind.HUMAN,
                    status=ComparisonStatus.LEASED,
                    created_at=stamp,
                    lease_until=lease_until,
                )
                await uow.assessments.add_comparisons([handed])
                answer = await _handed(uow, handed)
                await uow.commit()
        if pair is None:
            # nothing left to ask and nobody holding a pair: the method must decide now (the
            # refit after the last verdict may have been lost to a crash)
            await refit(uow, assessment_id, clock=self._clock)
            async with uow:
                current = await uow.assessments.get(assessment_id)
            return NoPair(finished=current is not None and current.finished)
        metrics.COMPARISONS.labels(JudgeKind.HUMAN.value, "handed_out").inc()
        return answer


def _live(comparison: Comparison, at: datetime) -> bool:
    return comparison.lease_until is not None and comparison.lease_until > at


async def _handed(uow: AssessmentUnitOfWork, comparison: Comparison) -> HandedPair:
    assert comparison.lease_until is not None
    pair = [comparison.essay_a, comparison.essay_b]
    texts = await uow.assessments.texts(comparison.assessment_id, pair)
    return HandedPair(
        comparison.pair_id,
        EssayText(comparison.essay_a, texts.get(comparison.essay_a, "")),
        EssayText(comparison.essay_b, texts.get(comparison.essay_b, "")),
        comparison.lease_until,
    )


def _lapsed_pair(
    rows: list[Comparison], judge_id: str, at: datetime
) -> tuple[uuid.UUID, str, str] | None:
    """The oldest pair nobody answered whose every lease has run out, if this judge has
    never seen those two essays together."""
    seen = {c.pair_key for c in rows if c.judge_id == judge_id}
    by_pair: dict[uuid.UUID, list[Comparison]] = {}
    for c in rows:
        if c.judge_kind is JudgeKind.HUMAN:
            by_pair.setdefault(c.pair_id, []).append(c)
    for pair_id, group in by_pair.items():
        first = group[0]
        if first.pair_key in seen:
            continue
        if all(c.status is ComparisonStatus.LEASED and not _live(c, at) for c in group):
            return pair_id, first.essay_a, first.essay_b
    return None


def _new_pair(
    assessment: Assessment,
    essays: list[AssessmentEssay],
    rows: list[Comparison],
    judge_id: str,
    stamp: datetime,
) -> tuple[uuid.UUID, str, str] | None:
    # busy: leased right now (they count towards exposure); the judge's own verdicts are
    # excluded by judge_id, and the pairs it let lapse are skipped below
    busy = {c.essays for c in rows if c.status is ComparisonStatus.LEASED and _live(c, stamp)}
    seen = {c.pair_key for c in rows if c.judge_id == judge_id}
    lapsed = sum(c.judge_id == judge_id and c.status is ComparisonStatus.LEASED for c in rows)
    chosen = method.choose_pairs(
        [e.essay_id for e in essays],
        progress.judgements_of(rows),
        progress.stored_estimate(assessment, essays),
        1 + lapsed,
        busy=busy,
        judge_id=judge_id,
        max_comparisons_per_essay=assessment.max_comparisons_per_essay,
    )
    for essay_a, essay_b in chosen:
        if pair_key(essay_a, essay_b) not in seen:
            return uuid.uuid4(), essay_a, essay_b
    return None


@dataclass(frozen=True, slots=True)
class RecordJudgementCommand:
    assessment_id: uuid.UUID
    pair_id: uuid.UUID
    judge_id: str
    winner: str  # "a" or "b"


@dataclass(frozen=True, slots=True)
class RecordJudgementResult:
    comparison: Comparison
    created: bool  # False: the same verdict sent again


class RecordJudgement:
    """Record a verdict, or recognise the same verdict sent again. Then refit (shared with
    the verdicts committed meanwhile: `Refits`) and, when the method says so, complete the
    assessment."""

    def __init__(self, uow: AssessmentUnitOfWork, refits: Refits, clock: Clock) -> None:
        self._uow = uow
        self._refits = refits
        self._clock = clock

    async def execute(self, command: RecordJudgementCommand) -> RecordJudgementResult:
        uow, assessment_id, pair_id = self._uow, command.assessment_id, command.pair_id
        judge_id, winner = command.judge_id, command.winner
        async with uow:
            assessment = await _judged_by_people(uow, assessment_id)
            rows = await uow.assessments.pair(assessment_id, pair_id)
            if not rows:
                raise NotFound(f"assessment {assessment_id} has no pair {pair_id}")
            mine = [c for c in rows if c.judge_id == judge_id]
            if not mine:
                raise Conflict(f"pair {pair_id} was not handed to judge {judge_id!r}")
            comparison = mine[0]
            if comparison.status is ComparisonStatus.ANSWERED:
                if comparison.winner == winner:
                    return RecordJudgementResult(comparison, created=False)
                raise Conflict(
                    f"judge {judge_id!r} already answered pair {pair_id} with {comparison.winner!r}"
                )
            if assessment.finished:
                raise Conflict(f"assessment {assessment_id} is {assessment.status.value}")
            answered = dataclasses.replace(
                comparison,
                status=ComparisonStatus.ANSWERED,
                winner=winner,
                answered_at=self._clock.now(),
            )
            if not await uow.assessments.answer(answered):
                raise Conflict(f"pair {pair_id} changed meanwhile; send the verdict again")
            await uow.commit()
        metrics.COMPARISONS.labels(JudgeKind.HUMAN.value, "answered").inc()
        await self._refits.after_verdict(assessment_id)
        return RecordJudgementResult(answered, created=True)
