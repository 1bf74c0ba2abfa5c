"""The messages cj_assessment produces, as built by its own code, validate with the models
their consumer uses (libs/contracts); and what it receives is the contract's model.

Produced: the result callback (``contracts.cj.AssessmentResultIn``), completed and failed,
which essay_lifecycle validates at ``POST /internal/v1/batches/{id}/cj-result`` and whose
summary part it forwards as ``contracts.cj.CjRunSummary``.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest

from contracts import cj
from services.cj_assessment import schemas
from services.cj_assessment.domain import AnchorIn, AssessmentRequest, EssayIn, result_key
from services.cj_assessment.judges import Judges
from services.cj_assessment.models_db import ESSAY_ID
from services.cj_assessment.repository_memory_impl import MemoryAssessmentStore
from services.cj_assessment.tests.unit.helpers import CLOCK, create
from services.cj_assessment.use_cases import (
    GiveUpAssessment,
    GiveUpAssessmentCommand,
    RunAssessment,
    RunAssessmentCommand,
    RunLimits,
)

WORDS = [
    "the",
    "river",
    "carries",
    "stories",
    "of",
    "towns",
    "and",
    "people",
    "who",
    "lived",
    "beside",
    "its",
    "banks",
]


def essay_text(quality: int) -> str:
    sentences = [
        " ".join(WORDS[(i + k) % len(WORDS)] for k in range(8 + quality)).capitalize() + "."
        for i in range(2 + 2 * quality)
    ]
    return " ".join(sentences)


class NoContent:
    async def fetch_text(self, content_id: str) -> str:
        raise AssertionError("every text came with the request")


def as_sent(body: Any) -> Any:
    """The body as the outbox sends it: JSON."""
    return json.loads(json.dumps(body))


async def run_to_the_end(uow, store: MemoryAssessmentStore, request: AssessmentRequest) -> Any:
    view, _ = await create(uow, request)
    aid = view.assessment.id
    run = RunAssessment(uow, NoContent(), Judges(llm=None), RunLimits(), CLOCK)
    await run.execute(RunAssessmentCommand(aid))
    (method, url, body) = store.calls[result_key(aid)]
    assert (method, url) == ("POST", request.callback_url)
    return aid, as_sent(body)


def request(**overrides: Any) -> AssessmentRequest:
    values: dict[str, Any] = {
        "essays": [EssayIn(f"e{q}", text=essay_text(q)) for q in range(6)],
        "batch_id": "batch-1",
        "callback_url": "http://els.test/internal/v1/batches/batch-1/cj-result?attempt=1",
        "min_comparisons_per_essay": 2,
        "max_comparisons_per_essay": 4,
        **overrides,
    }
    return AssessmentRequest(**values)


async def test_the_completed_callback_validates_as_essay_lifecycle_reads_it(uow, store):
    graded = request(
        anchors=[AnchorIn("A", text=essay_text(7)), AnchorIn("C", essay_id="e0")],
        grade_scale=["C", "B", "A"],
    )
    aid, body = await run_to_the_end(uow, store, graded)
    result = cj.AssessmentResultIn.model_validate(body)
    assert (result.status, result.assessment_id, result.batch_id) == (
        "completed",
        str(aid),
        "batch-1",
    )
    # the extra anchor is left out, the ranks renumbered; every row graded
    assert sorted(r.essay_id for r in result.ranking) == [f"e{q}" for q in range(6)]
    assert [r.rank for r in result.ranking] == [1, 2, 3, 4, 5, 6]
    assert all(r.grade in {"A", "B", "C"} and r.grade_probabilities for r in result.ranking)
    assert result.comparisons and result.comparisons > 0 and result.stop_reason
    # the rest is the run's summary, which essay_lifecycle forwards as CjRunSummary
    summary = result.model_dump(exclude={"status", "reason", "ranking"}, exclude_unset=True)
    assert cj.CjRunSummary.model_validate(summary).assessment_id == str(aid)


async def test_an_ungraded_ranking_row_carries_no_grade_keys(uow, store):
    _, body = await run_to_the_end(uow, store, request())
    result = cj.AssessmentResultIn.model_validate(body)
    for row in body["ranking"]:
        assert set(row) == {"essay_id", "score", "se", "rank", "comparisons"}
        cj.RankedEssay.model_validate(row)
    assert len(result.ranking) == 6


async def test_the_failed_callback_validates_as_essay_lifecycle_reads_it(uow, store):
    view, _ = await create(uow, request())
    aid = view.assessment.id
    reason = "the assessment run kept crashing"
    await GiveUpAssessment(uow, CLOCK).execute(GiveUpAssessmentCommand(aid, reason))
    body = as_sent(store.calls[result_key(aid)][2])
    result = cj.AssessmentResultIn.model_validate(body)
    assert (result.status, result.reason, result.ranking) == ("failed", reason, [])
    assert (result.assessment_id, result.batch_id) == (str(aid), "batch-1")


def test_the_assessment_request_is_the_contract_and_refuses_unknown_fields():
    assert schemas.AssessmentIn is cj.AssessmentIn
    assert (schemas.EssayModel, schemas.AnchorModel) == (cj.EssayModel, cj.AnchorModel)
    assert cj.ESSAY_ID == ESSAY_ID  # the contract's limit is this service's column width
    body = {"essays": [{"essay_id": "a", "text": "x"}, {"essay_id": "b", "text": "y"}]}
    request_ = schemas.to_request(cj.AssessmentIn.model_validate(body))
    assert [e.essay_id for e in request_.essays] == ["a", "b"]
    with pytest.raises(pydantic.ValidationError):
        cj.AssessmentIn.model_validate({**body, "surprise": 1})
