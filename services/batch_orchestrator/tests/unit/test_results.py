"""The results table (rows, order, CSV columns) and its use cases, in memory."""

import csv
import io

import pytest

from contracts.cj import CjRunSummary, RankedEssay
from contracts.spellcheck import SpellcheckFigures
from service_kit.errors import NotFound
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
)

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


async def test_the_csv_has_the_columns_in_order_and_a_row_per_essay(store):
    exported = await ExportResultsCsv(MemoryOrchestratorUnitOfWork(store)).execute(
        ExportResultsCsvCommand("b1", None)
    )
    assert exported.filename == "batch-b1-results.csv"
    lines = exported.text.splitlines()
    assert lines[0] == ",".join(RESULT_COLUMNS)
    assert lines[0] == (
        "essay_id,filename,status,word_count,error_count,errors_per_100_words,"
        "corrected_count,flagged_count,unknown_count,score,se,rank,grade"
    )
    assert lines[1] == "e2,c.txt,completed,100,3,3.0,2,1,1,0.5,0.4,1,A"
    assert lines[3] == "e3,a.txt,spellcheck_failed,,,,,,,,,,"
    assert len(list(csv.reader(io.StringIO(exported.text)))) == 4


async def test_results_of_another_teachers_batch_do_not_exist(store):
    with pytest.raises(NotFound):
        await ExportResultsCsv(MemoryOrchestratorUnitOfWork(store)).execute(
            ExportResultsCsvCommand("b1", "teacher-2")
        )


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
