"""Creating, reading and listing assessments against the in-memory repository: validation,
the job queued, anchors, idempotency."""

from __future__ import annotations

import uuid

import pytest

from service_kit.errors import InvalidInput, NotFound
from services.cj_assessment.domain import (
    RUN_ASSESSMENT,
    AnchorIn,
    AssessmentRequest,
    AssessmentStatus,
    EssayIn,
    JudgeKind,
)
from services.cj_assessment.tests.unit.helpers import (
    MAX_ESSAY_CHARS,
    create,
    get,
    human,
    texts,
)
from services.cj_assessment.use_cases import ListAssessments, ListAssessmentsCommand


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (AssessmentRequest(essays=texts(1)), "at least 2 essays"),
        (AssessmentRequest(essays=[*texts(2), EssayIn("e0", text="again")]), "unique"),
        (AssessmentRequest(essays=[*texts(2), EssayIn("x")]), "exactly one"),
        (
            AssessmentRequest(essays=[*texts(2), EssayIn("x", content_id="c", text="t")]),
            "exactly one",
        ),
        (AssessmentRequest(essays=[*texts(2), EssayIn("x", text="   ")]), "empty"),
        (
            AssessmentRequest(
                essays=texts(3), min_comparisons_per_essay=9, max_comparisons_per_essay=4
            ),
            "must not exceed",
        ),
        (AssessmentRequest(essays=texts(3), anchors=[AnchorIn("A", essay_id="nope")]), "names no"),
        (AssessmentRequest(essays=texts(3), anchors=[AnchorIn("A")]), "exactly one"),
        (
            AssessmentRequest(
                essays=texts(3), anchors=[AnchorIn("Z", essay_id="e0")], grade_scale=["A", "B"]
            ),
            "not in grade_scale",
        ),
        (AssessmentRequest(essays=texts(3), grade_scale=["A", "A"]), "twice"),
    ],
)
async def test_invalid_requests_are_refused_and_store_nothing(uow, store, request_, message):
    with pytest.raises(InvalidInput, match=message):
        await create(uow, request_)
    assert store.assessments == {} and store.jobs == {}


@pytest.mark.parametrize("where", ["essay", "anchor"])
async def test_a_text_over_the_limit_is_refused_and_stores_nothing(uow, store, where):
    long = "w" * (MAX_ESSAY_CHARS + 1)
    essays, anchors = texts(2), []
    if where == "essay":
        essays.append(EssayIn("long", text=long))
    else:
        anchors.append(AnchorIn("A", text=long))
    with pytest.raises(InvalidInput, match=f"limited to {MAX_ESSAY_CHARS} characters"):
        await create(uow, AssessmentRequest(essays=essays, anchors=anchors))
    assert store.assessments == {}


async def test_too_many_essays_is_refused(uow):
    with pytest.raises(InvalidInput, match="at most 3"):
        await create(uow, AssessmentRequest(essays=texts(4)), max_essays=3)


async def test_a_baseline_assessment_is_preparing_with_a_job(uow, store):
    request = AssessmentRequest(
        essays=[EssayIn("a", content_id="c1"), EssayIn("b", text="Some text.")],
        batch_id="b1",
    )
    view, created = await create(uow, request)
    assert created
    a = view.assessment
    assert (a.status, a.judge, a.batch_id) == (
        AssessmentStatus.PREPARING,
        JudgeKind.BASELINE,
        "b1",
    )
    assert (a.min_comparisons_per_essay, a.max_comparisons_per_essay) == (5, 20)
    assert a.target_reliability == 0.8
    assert store.jobs == {f"run:{a.id}": (RUN_ASSESSMENT, {"assessment_id": str(a.id)})}
    stored = sorted(store.essays.values(), key=lambda e: e.ordinal)
    assert [(e.essay_id, e.content_id, e.text) for e in stored] == [
        ("a", "c1", None),
        ("b", None, "Some text."),
    ]
    assert [e.text for e in view.essays] == [None, None]  # texts stay out of the view


async def test_a_human_assessment_with_every_text_runs_at_once(uow, store):
    view, _ = await create(uow, human())
    assert view.assessment.status is AssessmentStatus.RUNNING
    assert store.jobs == {}


async def test_anchors_with_text_become_extra_essays_and_named_ones_get_their_grade(uow):
    request = human(
        3,
        anchors=[
            AnchorIn("C", essay_id="e1"),
            AnchorIn("A", text="An excellent anchor essay."),
            AnchorIn("E", content_id="c-anchor"),
        ],
        grade_scale=["E", "C", "A"],
    )
    view, _ = await create(uow, request)
    rows = {e.essay_id: e for e in view.essays}
    assert set(rows) == {"e0", "e1", "e2", "anchor-2", "anchor-3"}
    assert (rows["e1"].anchor_grade, rows["e1"].extra_anchor) == ("C", False)
    assert (rows["anchor-2"].anchor_grade, rows["anchor-2"].extra_anchor) == ("A", True)
    assert rows["anchor-3"].content_id == "c-anchor"
    # it needs a text from content_service, so it prepares first even for people
    assert view.assessment.status is AssessmentStatus.PREPARING


async def test_the_same_idempotency_key_returns_the_same_assessment(uow, store):
    first, created = await create(uow, human(), key="k1")
    again, created_again = await create(uow, human(6), key="k1")
    other, _ = await create(uow, human(), key="k2")
    assert created and not created_again
    assert again.assessment.id == first.assessment.id
    assert len(again.essays) == 4  # the first request's essays, not the repeat's
    assert other.assessment.id != first.assessment.id
    assert len(store.assessments) == 2


async def test_two_assessments_may_share_essay_ids(uow, store):
    one, _ = await create(uow, human())
    two, _ = await create(uow, human())
    assert {e.essay_id for e in one.essays} == {e.essay_id for e in two.essays}
    assert len(store.essays) == 8


# --------------------------------------------------------------------------- reading


async def test_get_an_unknown_assessment_is_not_found(uow):
    with pytest.raises(NotFound):
        await get(uow, uuid.uuid4())


async def test_list_pages_through_a_batch_in_creation_order(uow):
    made = [(await create(uow, human(batch_id="b1")))[0].assessment.id for _ in range(5)]
    await create(uow, human(batch_id="b2"))
    listed, cursor, pages = [], None, 0
    while True:
        found = await ListAssessments(uow).execute(ListAssessmentsCommand("b1", 2, cursor))
        assert len(found.items) <= 2
        listed += [a.id for a in found.items]
        pages += 1
        cursor = found.next_cursor
        if cursor is None:
            break
    assert listed == made and pages == 3
    everything = await ListAssessments(uow).execute(ListAssessmentsCommand())
    assert len(everything.items) == 6 and everything.next_cursor is None


@pytest.mark.parametrize(("limit", "cursor"), [(0, None), (501, None), (10, "not-a-cursor")])
async def test_list_refuses_a_bad_limit_or_cursor(uow, limit, cursor):
    with pytest.raises(InvalidInput):
        await ListAssessments(uow).execute(ListAssessmentsCommand(None, limit, cursor))
