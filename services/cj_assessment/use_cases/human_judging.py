"""People judging over REST: hand a judge the next pair, record their verdict.

A hand-out claims a pair the last fit queued (runs/pair_queue.py: locks per judge and per
pair of essays, not the assessment's); a verdict holds the assessment's row shared (verdicts
side by side, none while a fit is written); the refit after a verdict runs outside it
(runs/refits.py) and queues the next round.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime

from service_kit.clock import Clock
from service_kit.errors import Conflict, NotFound
from services.cj_assessment import metrics
from services.cj_assessment.domain import (
    Assessment,
    AssessmentStatus,
    Comparison,
    ComparisonStatus,
    JudgeKind,
)
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.runs import pair_queue, progress
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


async def _judged_by_people(
    uow: AssessmentUnitOfWork, assessment_id: uuid.UUID, *, for_share: bool = False
) -> Assessment:
    """The assessment (with ``for_share`` unchangeable until this transaction ends: verdicts
    go in side by side, never onto an assessment a fit is finishing; pairs are handed out
    without any lock on it, runs/pair_queue.py)."""
    assessment = await uow.assessments.get(assessment_id, for_share=for_share)
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


class _AskAgain:
    """The queue was refilled by someone else meanwhile: claim from it."""


class HandOutPair:
    """The pair this judge should judge next. A pair whose lease lapsed is handed out again
    (same pair id) before a new one; then the first pair of the queue the last fit chose
    (runs/pair_queue.py); a judge never gets a pair of essays twice, nor a pair someone else
    holds."""

    def __init__(self, uow: AssessmentUnitOfWork, lease: PairLease, clock: Clock) -> None:
        self._uow = uow
        self._lease = lease
        self._clock = clock

    async def execute(self, command: HandOutPairCommand) -> HandedPair | NoPair:
        for _ in range(3):
            found: HandedPair | NoPair | _AskAgain | None = await self._from_queue(command)
            if found is None:
                found = await self._choose_afresh(command)
            if isinstance(found, HandedPair):
                metrics.COMPARISONS.labels(JudgeKind.HUMAN.value, "handed_out").inc()
                return found
            if isinstance(found, NoPair):
                return found
        return NoPair(finished=False)  # the queue keeps changing under us: ask again later

    async def _from_queue(self, command: HandOutPairCommand) -> HandedPair | NoPair | None:
        """The held, a lapsed or a queued pair; None when the queue has none for this judge."""
        uow, assessment_id, judge_id = self._uow, command.assessment_id, command.judge_id
        async with uow:
            assessment = await _judged_by_people(uow, assessment_id)
            if assessment.status is AssessmentStatus.PREPARING:
                raise Conflict(
                    "the essays' texts are still being fetched", retry_after=RETRY_SECONDS
                )
            if assessment.finished:
                return NoPair(finished=True)
            await uow.assessments.lock(assessment_id, pair_queue.judge_lock(judge_id))
            stamp = self._clock.now()
            held = await uow.assessments.held(assessment_id, judge_id, stamp)
            if held is not None:  # asked again before answering: the same pair
                return await _handed(uow, held)
            until = pair_queue.lease_end(stamp, self._lease.seconds)
            handed = None
            for old in await uow.assessments.lapsed(assessment_id, judge_id, stamp, 4):
                essays = (old.essay_a, old.essay_b)
                handed = await pair_queue.lease(
                    uow, assessment_id, judge_id, *essays, stamp, until, old.pair_id
                )
                if handed is not None:
                    break
            for _ in range(pair_queue.CLAIM_ATTEMPTS if handed is None else 0):
                queued = await uow.assessments.claim_queued(assessment_id, judge_id)
                if queued is None:
                    break
                handed = await pair_queue.lease(uow, assessment_id, judge_id, *queued, stamp, until)
                if handed is not None:
                    break
            if handed is None:
                await uow.commit()  # the claims of pairs others hold now
                return None
            answer = await _handed(uow, handed)
            await uow.commit()
            return answer

    async def _choose_afresh(self, command: HandOutPairCommand) -> HandedPair | NoPair | _AskAgain:
        """Choose a round now (one judge at a time per assessment), lease this judge the first
        pair it may have and queue the rest."""
        uow, assessment_id, judge_id = self._uow, command.assessment_id, command.judge_id
        generation = None
        async with uow:
            await uow.assessments.lock(assessment_id, pair_queue.judge_lock(judge_id))
            await uow.assessments.lock(assessment_id, pair_queue.REFILL)
            if await uow.assessments.unclaimed(assessment_id, judge_id):
                return _AskAgain()
            assessment = await _judged_by_people(uow, assessment_id)
            if assessment.finished:
                return NoPair(finished=True)
            stamp = self._clock.now()
            held = await uow.assessments.held(assessment_id, judge_id, stamp)
            if held is not None:
                return await _handed(uow, held)
            essays = await uow.assessments.essays(assessment_id)
            rows = await uow.assessments.comparisons(assessment_id)
            pairs = await pair_queue.choose_round(
                assessment,
                essays,
                rows,
                progress.stored_estimate(assessment, essays),
                stamp,
                judge_id=judge_id,
            )
            until = pair_queue.lease_end(stamp, self._lease.seconds)
            handed = None
            for k, (essay_a, essay_b) in enumerate(pairs):
                handed = await pair_queue.lease(
                    uow, assessment_id, judge_id, essay_a, essay_b, stamp, until
                )
                if handed is not None:
                    del pairs[k]
                    break
            if handed is not None:
                generation = await pair_queue.store_round(uow, assessment_id, pairs)
                answer = await _handed(uow, handed)
            leased = bool(pair_queue.live_leases(rows, stamp))
            await uow.commit()
        if handed is not None:
            if generation is not None:
                await pair_queue.drop_old(uow, assessment_id, generation)
            return answer
        if leased:
            return NoPair(finished=False)  # the open pairs are with other judges now
        # nothing left to ask and nobody holding a pair: the method must decide now (the
        # refit after the last verdict may have been lost to a crash)
        await refit(uow, assessment_id, clock=self._clock)
        async with uow:
            current = await uow.assessments.get(assessment_id)
        return NoPair(finished=current is not None and current.finished)


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
            assessment = await _judged_by_people(uow, assessment_id, for_share=True)
            rows = await uow.assessments.pair(assessment_id, pair_id)
            if not rows:
                raise NotFound(f"assessment {assessment_id} has no pair {pair_id}")
            mine = [c for c in rows if c.judge_id == judge_id]
            if not mine:
                raise Conflict(f"pair {pair_id} was not handed to judge {judge_id!r}")
            # one verdict or hand-on of these two essays at a time (runs/pair_queue.py); then
            # read again: the same verdict sent twice at once finds the first one answered
            first = mine[0]
            await uow.assessments.lock(
                assessment_id, pair_queue.pair_lock(first.essay_a, first.essay_b)
            )
            again = await uow.assessments.pair(assessment_id, pair_id)
            comparison = next(c for c in again if c.judge_id == judge_id)
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
