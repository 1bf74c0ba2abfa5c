"""The ranking use cases on the in-memory repository: pages by rank with their cursor, the
CSV streamed page by page (a unit of work each), refusals."""

from __future__ import annotations

import contextlib
import csv
import io
import uuid

import pytest

from service_kit.errors import InvalidInput, NotFound
from services.cj_assessment.protocols import EssayFit
from services.cj_assessment.tests.unit.helpers import create, human
from services.cj_assessment.use_cases import (
    ExportRankingCsv,
    ExportRankingCsvCommand,
    ListRanking,
    ListRankingCommand,
)
from services.cj_assessment.use_cases import ranking as ranking_module


async def _fitted(uow, n: int) -> uuid.UUID:
    view, _ = await create(uow, human(n))
    aid = view.assessment.id
    fits = [
        EssayFit(f"e{k}", score=float(n - k), se=0.5, rank=k + 1, comparisons=k) for k in range(n)
    ]
    async with uow:
        # the last essay is not ranked yet (left out of the fit)
        await uow.assessments.save_fit(aid, fits[:-1], [], [])
        await uow.commit()
    return aid


async def test_pages_follow_the_rank_and_end_with_no_cursor(uow):
    aid = await _fitted(uow, 8)
    seen, cursor, sizes = [], None, []
    while True:
        page = await ListRanking(uow).execute(ListRankingCommand(aid, 3, cursor))
        sizes.append(len(page.items))
        seen += [(r.essay.rank, r.essay.essay_id, r.essay.text) for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sizes == [3, 3, 1]
    assert seen == [(k + 1, f"e{k}", None) for k in range(7)]


async def test_refusals(uow):
    aid = await _fitted(uow, 3)
    with pytest.raises(NotFound):
        await ListRanking(uow).execute(ListRankingCommand(uuid.uuid4()))
    with pytest.raises(InvalidInput):
        await ListRanking(uow).execute(ListRankingCommand(aid, cursor="bm90IGEgbGlzdA"))
    with pytest.raises(InvalidInput):
        await ListRanking(uow).execute(ListRankingCommand(aid, limit=0))
    units = lambda: contextlib.nullcontext(uow)  # noqa: E731
    with pytest.raises(NotFound):
        await ExportRankingCsv(units).execute(ExportRankingCsvCommand(uuid.uuid4()))


async def test_the_csv_streams_a_page_per_unit_of_work(uow, monkeypatch):
    monkeypatch.setattr(ranking_module, "CSV_PAGE", 2)
    aid = await _fitted(uow, 6)
    opened = 0

    def units() -> contextlib.AbstractAsyncContextManager:
        nonlocal opened
        opened += 1
        return contextlib.nullcontext(uow)

    exported = await ExportRankingCsv(units).execute(ExportRankingCsvCommand(aid))
    chunks = [chunk async for chunk in exported.chunks]
    assert exported.filename == f"assessment-{aid}-ranking.csv"
    # the header, then pages of 2, 2, 1; one unit of work for the check, one per page read
    assert len(chunks) == 4 and opened == 1 + 4
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert [(r["rank"], r["essay_id"]) for r in rows] == [(str(k + 1), f"e{k}") for k in range(5)]
