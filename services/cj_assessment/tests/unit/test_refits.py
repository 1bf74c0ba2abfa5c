"""Refits shared between concurrent verdicts: each verdict waits for a fit that started after
it, and concurrent verdicts share fits instead of each running one."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from services.cj_assessment.runs.refits import Refits


class Fits:
    def __init__(self, fail: bool = False) -> None:
        self.started: list[float] = []
        self.fail = fail

    async def __call__(self, uow: object, assessment_id: uuid.UUID) -> None:
        self.started.append(asyncio.get_running_loop().time())
        await asyncio.sleep(0.05)
        if self.fail:
            raise RuntimeError("the fit failed")


def _refits(fits: Fits) -> Refits:
    return Refits(lambda: contextlib.nullcontext(object()), fits)  # type: ignore[arg-type, return-value]


async def test_concurrent_verdicts_share_fits_and_each_waits_for_one_started_after_it() -> None:
    fits = Fits()
    refits = _refits(fits)
    aid = uuid.uuid4()
    loop = asyncio.get_running_loop()

    async def verdict(delay: float) -> tuple[float, float]:
        await asyncio.sleep(delay)
        asked = loop.time()
        await refits.after_verdict(aid)
        return asked, loop.time()

    done = await asyncio.gather(*(verdict(k * 0.01) for k in range(20)))
    # 20 verdicts over 0.2 s, fits of 0.05 s: a handful of fits, not 20
    assert 2 <= len(fits.started) <= 6
    for asked, answered in done:
        # some fit started at or after the verdict, and finished before its answer
        assert any(asked <= start and start + 0.05 <= answered + 1e-3 for start in fits.started)


async def test_a_failed_fit_is_raised_to_the_verdicts_waiting_for_it_and_the_next_runs() -> None:
    fits = Fits(fail=True)
    refits = _refits(fits)
    aid = uuid.uuid4()
    with pytest.raises(RuntimeError, match="the fit failed"):
        await refits.after_verdict(aid)
    fits.fail = False
    await refits.after_verdict(aid)  # nothing stuck: a new fit runs
    assert len(fits.started) == 2


async def test_assessments_do_not_wait_for_each_other() -> None:
    fits = Fits()
    refits = _refits(fits)
    await asyncio.gather(*(refits.after_verdict(uuid.uuid4()) for _ in range(5)))
    assert len(fits.started) == 5
