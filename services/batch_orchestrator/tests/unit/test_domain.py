from dataclasses import replace
from datetime import UTC, datetime

import pytest

from contracts.batches import CjSettings, SpellcheckSettings
from contracts.outcomes import EssayOutcome
from contracts.spellcheck import SpellcheckFigures
from service_kit.errors import Conflict, InvalidInput
from services.batch_orchestrator.domain import (
    Batch,
    BatchStatus,
    Outcome,
    PhaseAttempt,
    PhaseState,
    batch_end,
    batch_settings,
    final_status,
    resolve_pipeline,
)

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 5, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("requested", "phases"),
    [
        ("full", ("spellcheck", "cj_assessment")),
        ("spellcheck", ("spellcheck",)),
        (["cj_assessment"], ("spellcheck", "cj_assessment")),
        (["cj_assessment", "spellcheck"], ("spellcheck", "cj_assessment")),
        (["spellcheck"], ("spellcheck",)),
    ],
)
def test_pipelines_resolve_dependencies_in_order(requested, phases):
    assert resolve_pipeline(requested) == phases


@pytest.mark.parametrize("requested", [["grading"], [], "nonsense", ["spellcheck", "x"]])
def test_unknown_phases_are_invalid(requested):
    with pytest.raises(InvalidInput):
        resolve_pipeline(requested)


def batch(status: BatchStatus) -> Batch:
    return Batch(
        "b", "n", "u", "en", status, ("spellcheck", "cj_assessment"), created_at=T0, updated_at=T0
    )


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (BatchStatus.AWAITING_CONTENT, BatchStatus.READY),
        (BatchStatus.READY, BatchStatus.PROCESSING),
        (BatchStatus.PROCESSING, BatchStatus.COMPLETED_WITH_FAILURES),
        (BatchStatus.FAILED, BatchStatus.PROCESSING),
        (BatchStatus.PROCESSING, BatchStatus.CANCELLED),
    ],
)
def test_batch_moves_forward(start, to):
    moved = batch(start).moved_to(to, T1)
    assert (moved.status, moved.version, moved.updated_at) == (to, 2, T1)


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (BatchStatus.PROCESSING, BatchStatus.READY),
        (BatchStatus.COMPLETED, BatchStatus.PROCESSING),
        (BatchStatus.CANCELLED, BatchStatus.PROCESSING),
        (BatchStatus.AWAITING_CONTENT, BatchStatus.COMPLETED),
    ],
)
def test_batch_never_moves_back(start, to):
    with pytest.raises(Conflict):
        batch(start).moved_to(to, T1)


def attempt(phase, n, status, succeeded=0, failed=0):
    return PhaseAttempt("b", phase, n, status, succeeded + failed, succeeded, failed)


def test_final_status_rules():
    ok = attempt("spellcheck", 1, PhaseState.SUCCEEDED, 3)
    partial = attempt("spellcheck", 1, PhaseState.PARTIALLY_SUCCEEDED, 2, 1)
    none = attempt("cj_assessment", 1, PhaseState.FAILED, 0, 2)
    assert final_status([ok], ["completed"] * 3) is BatchStatus.COMPLETED
    assert final_status([partial], ["completed", "completed", "spellcheck_failed"]) is (
        BatchStatus.COMPLETED_WITH_FAILURES
    )
    assert final_status([ok, none], ["cj_assessment_failed"] * 2) is BatchStatus.FAILED
    retried = attempt("spellcheck", 2, PhaseState.SUCCEEDED, 1)
    assert final_status([partial, retried], ["completed"] * 3) is BatchStatus.COMPLETED
    # a retry that succeeds does not hide an essay another phase left failed
    cj_partial = attempt("cj_assessment", 1, PhaseState.PARTIALLY_SUCCEEDED, 1, 1)
    cj_retry = attempt("cj_assessment", 2, PhaseState.SUCCEEDED, 1)
    statuses = ["completed", "cj_assessment_failed", "completed"]
    assert final_status([partial, retried, cj_partial, cj_retry], statuses) is (
        BatchStatus.COMPLETED_WITH_FAILURES
    )
    skipped = attempt("cj_assessment", 1, PhaseState.SKIPPED)
    assert final_status([ok, skipped], ["spellcheck_succeeded"]) is BatchStatus.COMPLETED
    assert final_status([ok], ["cancelled"]) is BatchStatus.COMPLETED_WITH_FAILURES
    # a file rejected before the pipeline started is a failure of the batch too
    assert final_status([ok], ["completed"] * 3, rejected=1) is BatchStatus.COMPLETED_WITH_FAILURES


def test_outcome_state():
    assert Outcome("p", 1, ["a"], [], {}, {}).phase_state is PhaseState.SUCCEEDED
    assert Outcome("p", 1, ["a"], ["b"], {}, {}).phase_state is (PhaseState.PARTIALLY_SUCCEEDED)
    assert Outcome("p", 1, [], ["b"], {}, {}).phase_state is PhaseState.FAILED


def test_settings_hold_each_phase_of_the_pipeline():
    spelling = SpellcheckSettings()
    assert batch_settings(("spellcheck",), spelling, None) == {"spellcheck": {"ignore": []}}
    both = batch_settings(("spellcheck", "cj_assessment"), spelling, None)
    assert both["cj_assessment"]["judge"] == "baseline"
    assert both["cj_assessment"]["max_comparisons_per_essay"] == 20
    with pytest.raises(InvalidInput):
        batch_settings(("spellcheck",), spelling, CjSettings(judge="llm"))


def test_the_next_phase_runs_only_over_essays_that_succeeded():
    running = batch(BatchStatus.PROCESSING)
    assert running.phase_after(Outcome("spellcheck", 1, ["a"], [], {}, {})) == "cj_assessment"
    failed_all = Outcome("spellcheck", 1, [], ["a"], {}, {})
    assert running.phase_after(failed_all) is None
    assert running.phase_after(Outcome("cj_assessment", 1, ["a"], [], {}, {})) is None


def test_a_batch_ends_counting_the_files_missing_from_its_results():
    started = Batch(
        "b",
        "n",
        "u",
        "en",
        BatchStatus.PROCESSING,
        ("spellcheck",),
        results_summary={"accepted_files": 4, "rejected_essays": 1},
        created_at=T0,
        updated_at=T0,
    )
    ok = attempt("spellcheck", 1, PhaseState.SUCCEEDED, 2)
    status, summary = batch_end(started, [ok], ["spellcheck_succeeded"] * 2)
    assert status is BatchStatus.COMPLETED_WITH_FAILURES
    assert summary == {"accepted_files": 4, "rejected_essays": 1, "unaccounted_files": 1}
    complete = replace(started, results_summary={"accepted_files": 2})
    assert batch_end(complete, [ok], ["spellcheck_succeeded"] * 2) == (
        BatchStatus.COMPLETED,
        {"accepted_files": 2},
    )


def test_an_outcome_gives_the_results_rows_it_reports():
    outcome = Outcome(
        "spellcheck",
        1,
        ["e1"],
        [],
        {
            "e1": EssayOutcome(filename="a.txt", spelling=SpellcheckFigures(error_count=1)),
            "e2": EssayOutcome(),
        },
        {},
    )
    rows = outcome.essay_results("b", T1)
    assert [
        (r.essay_id, r.batch_id, r.filename, r.status, r.spelling, r.assessment, r.updated_at)
        for r in rows
    ] == [
        ("e1", "b", "a.txt", "unknown", {"error_count": 1}, None, T1),
        ("e2", "b", None, "unknown", None, None, T1),
    ]
