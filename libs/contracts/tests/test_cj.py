"""essay_lifecycle -> cj_assessment (the assessment) and cj_assessment -> essay_lifecycle
(the result callback)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, cast

from contracts.batches import Anchor, CjSettings
from contracts.cj import AssessmentIn, AssessmentResultIn, CjRunSummary, RankedEssay
from contracts.tests.helpers import as_json, refuses, with_unknown_field
from services.cj_assessment.domain import completed_body, failed_body

ESSAYS = [str(uuid.uuid4()) for _ in range(3)]


def assessment_request(cj: CjSettings | None = None) -> dict[str, Any]:
    # essay_lifecycle/phases.py: _dispatch_assessment; the settings are the phase command's
    # (batch_orchestrator/api.py: create_batch dumps CjSettings)
    return {
        "batch_id": "b",
        "essays": [{"essay_id": e, "content_id": "c" * 64} for e in ESSAYS],
        "callback_url": "http://essay-lifecycle:8000/internal/v1/batches/b/cj-result?attempt=1",
        **(cj or CjSettings()).model_dump(),
    }


def _ranked(essay_id: str, rank: int, grade: str | None) -> SimpleNamespace:
    probabilities = {"A": 0.7, "B": 0.3} if grade else None
    return SimpleNamespace(
        essay_id=essay_id,
        score=1.5 - rank,
        se=0.4,
        comparisons=8,
        grade=grade,
        grade_probabilities=probabilities,
    )


def completed(graded: bool = True) -> dict[str, Any]:
    # cj_assessment/domain.py: completed_body (the extra anchor is left out, ranks renumbered)
    assessment = SimpleNamespace(id=uuid.uuid4(), batch_id="b", stop_reason="reliability")
    anchor = SimpleNamespace(essay_id="anchor-1", extra_anchor=True)
    essays = [SimpleNamespace(essay_id=e, extra_anchor=False) for e in ESSAYS] + [anchor]
    ids = [ESSAYS[0], "anchor-1", ESSAYS[1], ESSAYS[2]]
    estimate = SimpleNamespace(
        ranking=[_ranked(e, n, "A" if graded else None) for n, e in enumerate(ids)],
        reliability=0.83,
        reliability_method="ssr",
        ssr=0.83,
        comparisons=40,
    )
    return completed_body(cast(Any, assessment), cast(Any, essays), cast(Any, estimate))


def failed() -> dict[str, Any]:
    # cj_assessment/domain.py: failed_body
    return failed_body(cast(Any, SimpleNamespace(id=uuid.uuid4(), batch_id="b")), "judge down")


def test_assessment_request_validates() -> None:
    request = AssessmentIn.model_validate(as_json(assessment_request()))
    assert [e.essay_id for e in request.essays] == ESSAYS
    anchors = CjSettings(
        anchors=[Anchor(grade="A", text="an anchor"), Anchor(grade="B", content_id="c")],
        grade_scale=["A", "B"],
        judge="llm",
    )
    request = AssessmentIn.model_validate(as_json(assessment_request(anchors)))
    assert [a.grade for a in request.anchors] == ["A", "B"]


def test_assessment_request_refuses_unknown_fields_and_bad_values() -> None:
    refuses(AssessmentIn, with_unknown_field(assessment_request()))
    refuses(AssessmentIn, {**assessment_request(), "callback_url": "ftp://x"})
    refuses(AssessmentIn, {**assessment_request(), "essays": [{"essay_id": "x" * 129}]})
    refuses(AssessmentIn, {**assessment_request(), "instructions": "x" * 10_001})


def test_completed_callback_validates() -> None:
    result = AssessmentResultIn.model_validate(as_json(completed()))
    assert [r.essay_id for r in result.ranking] == ESSAYS
    assert [r.rank for r in result.ranking] == [1, 2, 3]
    summary = result.model_dump(exclude={"status", "reason", "ranking"}, exclude_unset=True)
    assert CjRunSummary.model_validate(summary).reliability == 0.83
    ungraded = AssessmentResultIn.model_validate(as_json(completed(graded=False)))
    row = ungraded.ranking[0].model_dump(exclude_unset=True)
    assert set(row) == {"essay_id", "score", "se", "rank", "comparisons"}


def test_failed_callback_validates() -> None:
    result = AssessmentResultIn.model_validate(as_json(failed()))
    assert (result.status, result.reason, result.ranking) == ("failed", "judge down", [])


def test_callback_refuses_unknown_fields_and_bad_text() -> None:
    refuses(AssessmentResultIn, with_unknown_field(completed()))
    refuses(AssessmentResultIn, {**failed(), "reason": "a\x00"})
    refuses(AssessmentResultIn, {**failed(), "status": "done"})
    row = completed()["ranking"][0]
    refuses(RankedEssay, {**row, "surprise": 1})
    refuses(RankedEssay, {**row, "grade": "A\x00"})
    refuses(RankedEssay, {k: v for k, v in row.items() if k != "score"})
    refuses(CjRunSummary, {"surprise": 1})


# What batch_orchestrator accepts as cj settings, cj_assessment accepts too: a grade scale
# cj_assessment would refuse (empty, over 64 grades) is refused at the batch already, instead
# of a phase command whose dispatch cj_assessment answers with 422.
def test_grade_scale_refused_at_the_batch_as_cj_would() -> None:
    refuses(CjSettings, {"grade_scale": []})
    refuses(CjSettings, {"grade_scale": [f"g{n}" for n in range(65)]})
    refuses(AssessmentIn, {**as_json(assessment_request(CjSettings())), "grade_scale": []})


def test_longest_grade_scale_passes_both_sides() -> None:
    scale = [f"g{n}" for n in range(64)]
    AssessmentIn.model_validate(as_json(assessment_request(CjSettings(grade_scale=scale))))
