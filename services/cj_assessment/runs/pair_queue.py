"""Pairs chosen ahead for people, so that handing one out is a few indexed queries.

Choosing a pair needs the whole design (every essay, every comparison, the last fit): at
1,000 essays tens of milliseconds of CPU, and when fifty judges asked at once under the
assessment's lock they queued behind each other for seconds. So each fit (runs/refits.py)
chooses the next round — about one pair per two essays, leased pairs counted as busy — and
stores it as a new generation of the assessment's queue; a judge claims the first unclaimed
pair of the newest generation it has never been shown (``SELECT ... FOR UPDATE SKIP
LOCKED``: fifty judges claim fifty different rows without waiting for each other).

What keeps the guarantees without the assessment's lock:
- one hand-out per judge at a time: a lock on the judge's name (asking twice at once gives
  the same pair, as before);
- no pair of essays with two judges at once: before a lease is written, a lock on the pair
  of essays and a check that nobody holds a live lease on them (a pair chosen for a new
  generation while a judge was claiming it from the old one is refused there and skipped);
- never the same two essays to one judge twice: the claim skips them, and the unique index
  on (assessment, pair, judge) refuses them;
- a lapsed lease is handed on (same pair id) before anything new, under the pair's lock.
When the queue has nothing for a judge (before the first fit, or a judge who has seen all of
it) the pairs are chosen there and then, as before, one judge at a time per assessment (the
"refill" lock); the rest of that choice becomes the next generation.

Lock order (no cycles): judge -> queue row -> pair; refill -> pair; assessment -> refill;
assessment -> pair (a verdict). Old generations are deleted in a transaction of their own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from services.cj_assessment import method
from services.cj_assessment.domain import (
    Assessment,
    AssessmentEssay,
    Comparison,
    ComparisonStatus,
    JudgeKind,
    pair_key,
)
from services.cj_assessment.method import Estimate
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.runs import progress

REFILL = "refill"
CLAIM_ATTEMPTS = 8  # queued pairs tried per hand-out before choosing afresh


def judge_lock(judge_id: str) -> str:
    return f"judge:{judge_id}"


def pair_lock(essay_a: str, essay_b: str) -> str:
    return f"pair:{pair_key(essay_a, essay_b)}"


def round_size(essays: int) -> int:
    """Pairs per generation: one round, every essay about once."""
    return max(1, essays // 2)


def live_leases(rows: Sequence[Comparison], at: datetime) -> set[frozenset[str]]:
    return {
        c.essays
        for c in rows
        if c.status is ComparisonStatus.LEASED and c.lease_until is not None and c.lease_until > at
    }


async def choose_round(
    assessment: Assessment,
    essays: Sequence[AssessmentEssay],
    rows: Sequence[Comparison],
    estimate: Estimate | None,
    at: datetime,
    *,
    judge_id: str | None = None,
) -> list[tuple[str, str]]:
    """The next round of pairs (off the event loop): leased pairs busy, the essays' caps kept,
    and with ``judge_id`` none that judge has seen."""
    seen = {c.pair_key for c in rows if judge_id is not None and c.judge_id == judge_id}
    chosen = await asyncio.to_thread(
        method.choose_pairs,
        [e.essay_id for e in essays],
        progress.judgements_of(rows),
        estimate,
        round_size(len(essays)),
        busy=live_leases(rows, at),
        judge_id=judge_id,
        seed=assessment.version,
        max_comparisons_per_essay=assessment.max_comparisons_per_essay,
    )
    return [(a, b) for a, b in chosen if pair_key(a, b) not in seen]


async def store_round(
    uow: AssessmentUnitOfWork, assessment_id: uuid.UUID, pairs: Sequence[tuple[str, str]]
) -> int | None:
    """The next generation (under the refill lock); None when there is nothing to queue
    (the queue is emptied then)."""
    await uow.assessments.lock(assessment_id, REFILL)
    if not pairs:
        await uow.assessments.drop_queue(assessment_id)
        return None
    return await uow.assessments.queue_pairs(assessment_id, pairs)


async def drop_old(uow: AssessmentUnitOfWork, assessment_id: uuid.UUID, generation: int) -> None:
    """Forget generations older than the one before ``generation``, in a transaction of its
    own (a judge who read the old number a moment ago may still be claiming from it)."""
    async with uow:
        await uow.assessments.drop_queue(assessment_id, before=generation - 1)
        await uow.commit()


async def lease(
    uow: AssessmentUnitOfWork,
    assessment_id: uuid.UUID,
    judge_id: str,
    essay_a: str,
    essay_b: str,
    at: datetime,
    lease_until: datetime,
    pair_id: uuid.UUID | None = None,
) -> Comparison | None:
    """Lease the two essays to the judge unless someone holds them right now (the pair's lock
    is held until the caller commits). With ``pair_id`` a lapsed pair is handed on: only if
    every lease of it has still run out unanswered."""
    await uow.assessments.lock(assessment_id, pair_lock(essay_a, essay_b))
    if pair_id is not None:
        rows = await uow.assessments.pair(assessment_id, pair_id)
        if not all(_lapsed(c, at) for c in rows):
            return None
    elif await uow.assessments.pair_leased(assessment_id, pair_key(essay_a, essay_b), at):
        return None
    handed = Comparison(
        pair_id=pair_id or uuid.uuid4(),
        judge_id=judge_id,
        assessment_id=assessment_id,
        essay_a=essay_a,
        essay_b=essay_b,
        judge_kind=JudgeKind.HUMAN,
        status=ComparisonStatus.LEASED,
        created_at=at,
        lease_until=lease_until,
    )
    await uow.assessments.add_comparisons([handed])
    return handed


def _lapsed(comparison: Comparison, at: datetime) -> bool:
    leased = comparison.status is ComparisonStatus.LEASED
    return leased and comparison.lease_until is not None and comparison.lease_until <= at


def lease_end(at: datetime, seconds: float) -> datetime:
    return at + timedelta(seconds=seconds)
