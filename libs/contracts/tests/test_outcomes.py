"""essay_lifecycle -> batch_orchestrator: the phase outcome."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, cast

from contracts.outcomes import EssayOutcome, FailedEssay, OutcomeIn
from contracts.tests.helpers import as_json, refuses, with_unknown_field
from contracts.tests.test_cj import completed
from contracts.tests.test_spellcheck import succeeded
from services.essay_lifecycle.domain import EssayStatus, Phase
from services.essay_lifecycle.use_cases.phase_outcomes import essay_outcome


def _result(essay: Any) -> dict[str, Any]:
    return essay_outcome(essay).model_dump(mode="json", exclude_unset=True)


def _essay(status: EssayStatus, **fields: Any) -> Any:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "file_id": str(uuid.uuid4()),
        "filename": "essay.docx",
        "status": status,
        "spelling": None,
        "corrected_text_content_id": None,
        "assessment": None,
        **fields,
    }
    return cast(Any, SimpleNamespace(**values))


def outcome(phase: Phase) -> dict[str, Any]:
    # essay_lifecycle/outcomes.py: report builds the body; _result builds each row. The
    # spelling is what the spellcheck callback brought less status and reason
    # (essay_lifecycle/api.py: spellcheck_result), the assessment a ranking row.
    spelling = {k: v for k, v in succeeded().items() if k not in {"status", "reason"}}
    done = _essay(
        EssayStatus.COMPLETED,
        spelling=spelling,
        corrected_text_content_id=spelling["corrected_text_content_id"],
        assessment=completed()["ranking"][0] if phase is Phase.CJ_ASSESSMENT else None,
    )
    bad = _essay(EssayStatus.SPELLCHECK_FAILED)
    members = [done, bad]
    summary: dict[str, Any] = {}
    if phase is Phase.CJ_ASSESSMENT:
        summary = {k: v for k, v in completed().items() if k not in {"status", "reason", "ranking"}}
    return {
        "phase": phase.value,
        "attempt": 1,
        "succeeded": [str(done.id)],
        "failed": [{"essay_id": str(bad.id), "status": bad.status.value}],
        "results": {str(e.id): _result(e) for e in members},
        "summary": summary,
    }


def test_spellcheck_outcome_validates() -> None:
    read = OutcomeIn.model_validate(as_json(outcome(Phase.SPELLCHECK)))
    assert read.summary.model_dump(exclude_none=True) == {}  # nothing to keep, as before
    rows = list(read.results.values())
    assert rows[0].spelling is not None and rows[0].spelling.word_count == 120
    assert rows[1].spelling is None and rows[1].status == "spellcheck_failed"


def test_cj_outcome_validates() -> None:
    read = OutcomeIn.model_validate(as_json(outcome(Phase.CJ_ASSESSMENT)))
    assert read.summary.reliability == 0.83
    assert read.summary.comparisons == 40
    first = next(iter(read.results.values()))
    assert first.assessment is not None and first.assessment.rank == 1


def test_missing_keys_take_the_orchestrators_defaults() -> None:
    # batch_orchestrator/service.py: phase_outcome read each row with r.get(...)
    assert EssayOutcome.model_validate({}).status == "unknown"


def test_outcome_refuses_unknown_fields_and_bad_values() -> None:
    body = outcome(Phase.CJ_ASSESSMENT)
    refuses(OutcomeIn, with_unknown_field(body))
    refuses(OutcomeIn, {**body, "attempt": 0})
    refuses(OutcomeIn, {**body, "summary": {"surprise": 1}})
    refuses(OutcomeIn, {**body, "failed": [{"essay_id": "e"}]})
    row = next(iter(body["results"].values()))
    refuses(EssayOutcome, {**row, "surprise": 1})
    refuses(EssayOutcome, {**row, "filename": "a\x00"})
    refuses(EssayOutcome, {**row, "spelling": {"surprise": 1}})
    refuses(FailedEssay, {"essay_id": "e", "status": "x", "surprise": 1})
