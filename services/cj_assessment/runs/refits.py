"""Refits after human verdicts, shared between the verdicts that arrive together.

Every verdict must be in a fit by the time its answer goes back (so the judge who sent the
last one sees the assessment finish), but a fit of 1,000 essays takes a few hundred
milliseconds of CPU, and with fifty judges answering at once one fit per verdict buries the
service: the fits queue behind each other, each loses the compare-and-set to the one before
and runs again. Here, per assessment and process, one fit runs at a time; a verdict
committed meanwhile waits for the next fit, which starts when the running one ends and
takes every verdict committed by then. So each verdict waits at most for the fit in
progress plus one more, and the CPU spent is bounded by the fits' own length, not by the
number of judges. Across processes the write stays compare-and-set (``refit``, below).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from service_kit.clock import Clock
from services.cj_assessment.domain import AssessmentStatus, JudgeKind
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.runs import pair_queue, progress

OpenUnitOfWork = Callable[[], AbstractAsyncContextManager[AssessmentUnitOfWork]]
Refit = Callable[[AssessmentUnitOfWork, uuid.UUID], Awaitable[None]]


class Refits:
    def __init__(self, open_uow: OpenUnitOfWork, refit: Refit) -> None:
        self._open_uow = open_uow
        self._refit = refit
        self._next: dict[uuid.UUID, asyncio.Future[None]] = {}  # the fit not yet started
        self._running: dict[uuid.UUID, asyncio.Task[None]] = {}

    async def after_verdict(self, assessment_id: uuid.UUID) -> None:
        """Return once a fit that started after this call has finished (its error raised)."""
        waiting = self._next.get(assessment_id)
        if waiting is None:
            waiting = asyncio.get_running_loop().create_future()
            self._next[assessment_id] = waiting
        if assessment_id not in self._running:
            self._running[assessment_id] = asyncio.create_task(self._fits(assessment_id))
        # shielded: a judge who hangs up does not cancel the fit the others wait for
        await asyncio.shield(waiting)

    async def _fits(self, assessment_id: uuid.UUID) -> None:
        try:
            while (current := self._next.pop(assessment_id, None)) is not None:
                try:
                    async with self._open_uow() as uow:
                        await self._refit(uow, assessment_id)
                except Exception as error:  # handed to every verdict waiting on this fit
                    current.set_exception(error)
                else:
                    current.set_result(None)
        finally:
            del self._running[assessment_id]


async def refit(
    uow: AssessmentUnitOfWork, assessment_id: uuid.UUID, *, clock: Clock, attempts: int = 5
) -> None:
    """Fit the verdicts so far and complete the assessment if the method says stop (the
    app's Refits bind ``clock``: ``functools.partial(refit, clock=clock)``).

    The fit runs without the assessment's lock, so judges keep getting pairs meanwhile; only
    the write takes the lock, and it is compare-and-set on the version. A fit that lost the
    race is done again unless the one that won already counted at least as many verdicts
    (then it read after ours was committed, so it includes ours). For people, the next
    round of pairs then becomes the queue's newest generation (a transaction of its own)."""
    for _ in range(attempts):
        async with uow:
            assessment = await uow.assessments.get(assessment_id)
            if assessment is None or assessment.status is not AssessmentStatus.RUNNING:
                return
            essays = await uow.assessments.essays(assessment_id)
            rows = await uow.assessments.comparisons(assessment_id)
        found = await progress.assess_progress(assessment, essays, rows)
        if found.estimate is None:
            return
        pairs: list[tuple[str, str]] = []
        if found.stop is None:  # the next round for people to claim (runs/pair_queue.py)
            pairs = await pair_queue.choose_round(
                assessment, essays, rows, found.estimate, clock.now()
            )
        async with uow:
            current = await uow.assessments.get(assessment_id, for_update=True)
            if current is None or current.status is not AssessmentStatus.RUNNING:
                return
            if current.version != assessment.version:
                fitted = sum(e.comparisons for e in await uow.assessments.essays(assessment_id))
                if fitted // 2 >= len(found.judgements):
                    return
                continue
            done = None
            if found.stop is not None:
                done = await progress.complete(
                    uow, current, essays, found.estimate, found.stop, at=clock.now()
                )
            else:
                await progress.record_fit(uow, current, found.estimate, at=clock.now())
            await uow.commit()
        if done is not None:
            progress.count_finished(done)
        elif current.judge is JudgeKind.HUMAN:
            # after the fit's commit, so verdicts wait for the fit's write only
            async with uow:
                generation = await pair_queue.store_round(uow, assessment_id, pairs)
                await uow.commit()
            if generation is not None:
                await pair_queue.drop_old(uow, assessment_id, generation)
        return
