"""The results table (rows, order, CSV columns) and its use cases, in memory."""

import contextlib
import csv
import io
from typing import Any

import pytest

from contracts.cj import CjRunSummary, RankedEssay
from contracts.spellcheck import SpellcheckFigures
from service_kit.errors import InvalidInput, NotFound
from services.batch_orchestrator.domain import (
    RESULT_COLUMNS,
    Batch,
    BatchResults,
    BatchStatus,
    EssayResult,
)
from services.batch_orchestrator.repository_memory_impl import (
    MemoryOrchestratorStore,
    MemoryOrchestratorUnitOfWork,
)
from services.batch_orchestrator.tests.unit.fakes import T0
from services.batch_orchestrator.use_cases import (
    ExportResultsCsv,
    ExportResultsCsvCommand,
    GetResults,
    GetResultsCommand,
    ListResults,
    ListResultsCommand,
)
from services.batch_orchestrator.use_cases import results as results_module

SPELLING = {
    "word_count": 100,
    "error_count": 3,
    "errors_per_100_words": 3.0,
    "corrected_count": 2,
    "flagged_count": 1,
    "unknown_count": 1,
}


def essay(essay_id, filename, status="completed", assessment=None, spelling=SPELLING):
    return EssayResult(
        essay_id, "b1", None, filename, status, spelling, None, assessment, updated_at=T0
    )


@pytest.fixture
def store() -> MemoryOrchestratorStore:
    store = MemoryOrchestratorStore()
    store.batches["b1"] = Batch(
        "b1",
        "9A",
        "teacher-1",
        "en",
        BatchStatus.COMPLETED_WITH_FAILURES,
        ("spellcheck", "cj_assessment"),
        results_summary={
            "cj_assessment": {"reliability": 0.83, "comparisons": 40},
            "accepted_files": 4,
            "rejected_essays": 1,
        },
        created_at=T0,
        updated_at=T0,
    )
    for result in (
        essay("e1", "b.txt", assessment={"score": -0.5, "se": 0.4, "rank": 2}),
        essay("e2", "c.txt", assessment={"score": 0.5, "se": 0.4, "rank": 1, "grade": "A"}),
        essay("e3", "a.txt", status="spellcheck_failed", spelling=None),
    ):
        store.results[("b1", result.essay_id)] = result
    return store


async def test_ranked_essays_come_first_by_rank_then_the_rest_by_filename(store):
    results = await GetResults(MemoryOrchestratorUnitOfWork(store)).execute(
        GetResultsCommand("b1", "teacher-1")
    )
    assert [(r["essay_id"], r["rank"]) for r in results.rows] == [
        ("e2", 1),
        ("e1", 2),
        ("e3", None),
    ]
    assert results.rows[0] == {
        "essay_id": "e2",
        "filename": "c.txt",
        "status": "completed",
        "word_count": 100,
        "error_count": 3,
        "errors_per_100_words": 3.0,
        "corrected_count": 2,
        "flagged_count": 1,
        "unknown_count": 1,
        "score": 0.5,
        "se": 0.4,
        "rank": 1,
        "grade": "A",
    }
    assert (results.reliability, results.comparisons) == (0.83, 40)
    assert results.accounting == {
        "accepted_files": 4,
        "results": 3,
        "rejected_files": 1,
        "unaccounted_files": 0,
    }


def units(store: MemoryOrchestratorStore, opened: list[int] | None = None) -> Any:
    """A unit of work per call, as the app's UnitsOfWork gives (counting the calls)."""

    def open_uow() -> Any:
        if opened is not None:
            opened.append(1)
        return contextlib.nullcontext(MemoryOrchestratorUnitOfWork(store))

    return open_uow


async def test_the_csv_has_the_columns_in_order_and_a_row_per_essay(store):
    exported = await ExportResultsCsv(units(store)).execute(ExportResultsCsvCommand("b1", None))
    assert exported.filename == "batch-b1-results.csv"
    text = "".join([chunk async for chunk in exported.chunks])
    lines = text.splitlines()
    assert lines[0] == ",".join(RESULT_COLUMNS)
    assert lines[0] == (
        "essay_id,filename,status,word_count,error_count,errors_per_100_words,"
        "corrected_count,flagged_count,unknown_count,score,se,rank,grade"
    )
    assert lines[1] == "e2,c.txt,completed,100,3,3.0,2,1,1,0.5,0.4,1,A"
    assert lines[3] == "e3,a.txt,spellcheck_failed,,,,,,,,,,"
    assert len(list(csv.reader(io.StringIO(text)))) == 4


async def test_the_csv_streams_a_page_per_unit_of_work(store, monkeypatch):
    monkeypatch.setattr(results_module, "CSV_PAGE", 2)
    opened: list[int] = []
    exported = await ExportResultsCsv(units(store, opened)).execute(
        ExportResultsCsvCommand("b1", None)
    )
    chunks = [chunk async for chunk in exported.chunks]
    # the header, then pages of 2 and 1; one unit of work for the check, one per page read
    assert len(chunks) == 3 and len(opened) == 1 + 3
    assert [line.split(",")[0] for line in "".join(chunks).splitlines()[1:]] == ["e2", "e1", "e3"]


async def test_results_of_another_teachers_batch_do_not_exist(store):
    with pytest.raises(NotFound):
        await ExportResultsCsv(units(store)).execute(ExportResultsCsvCommand("b1", "teacher-2"))
    with pytest.raises(NotFound):
        await ListResults(MemoryOrchestratorUnitOfWork(store)).execute(
            ListResultsCommand("b1", "teacher-2", limit=2)
        )


async def test_the_results_a_page_at_a_time_in_the_table_order(store):
    store.results[("b1", "e4")] = essay("e4", "0.txt", status="spellcheck_failed", spelling=None)
    uow = MemoryOrchestratorUnitOfWork(store)
    pages, cursor = [], None
    while True:
        page = await ListResults(uow).execute(ListResultsCommand("b1", "teacher-1", 3, cursor))
        pages.append([r["essay_id"] for r in page.results.rows])
        assert page.accounting["results"] == 4  # the whole table's, on every page
        assert page.accounting["unaccounted_files"] == 0
        cursor = page.next_cursor
        if cursor is None:
            break
    # ranked by rank, then the rest by filename ("0.txt" before "a.txt")
    assert pages == [["e2", "e1", "e4"], ["e3"]]
    with pytest.raises(InvalidInput):
        await ListResults(uow).execute(ListResultsCommand("b1", None, 3, "bm90IGEgbGlzdA"))
    with pytest.raises(InvalidInput):
        await ListResults(uow).execute(ListResultsCommand("b1", None, 0))


def test_a_batch_without_a_cj_run_has_no_reliability():
    batch = Batch(
        "b", "n", "u", "en", BatchStatus.PROCESSING, ("spellcheck",), created_at=T0, updated_at=T0
    )
    results = BatchResults(batch, [])
    assert (results.reliability, results.comparisons) == (None, None)
    assert results.accounting["accepted_files"] is None
    assert results.as_csv().splitlines() == [",".join(RESULT_COLUMNS)]


def test_every_figure_the_table_reads_is_a_field_of_the_message_it_comes_from():
    """The table reads the stored spelling figures, ranking row and cj summary by key: a key
    renamed in the contracts must fail here, not blank a column of the CSV."""
    assert {
        "word_count",
        "error_count",
        "errors_per_100_words",
        "corrected_count",
        "flagged_count",
        "unknown_count",
    } <= set(SpellcheckFigures.model_fields)
    assert {"score", "se", "rank", "grade"} <= set(RankedEssay.model_fields)
    assert {"reliability", "comparisons"} <= set(CjRunSummary.model_fields)
    assert set(RESULT_COLUMNS) - {"essay_id", "filename", "status"} <= (
        set(SpellcheckFigures.model_fields) | set(RankedEssay.model_fields)
    )
