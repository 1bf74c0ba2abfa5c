"""The service layer against the in-memory repository: creation, idempotency, human judging
and stopping."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from datetime import timedelta

import pytest

from service_kit.errors import Conflict, InvalidInput, NotFound
from services.cj_assessment import service
from services.cj_assessment.domain import (
    RUN_ASSESSMENT,
    AnchorIn,
    AssessmentRequest,
    AssessmentStatus,
    ComparisonStatus,
    EssayIn,
    JudgeKind,
    result_key,
)
from services.cj_assessment.protocols import AssessmentUnitOfWork
from services.cj_assessment.refits import Refits
from services.cj_assessment.repository_memory_impl import (
    MemoryAssessmentStore,
    MemoryAssessmentUnitOfWork,
)
from services.cj_assessment.service import HandedPair, NoPair


def _refits(uow: AssessmentUnitOfWork) -> Refits:
    """Refits in the test's own unit of work (the app opens one per fit)."""
    return Refits(lambda: contextlib.nullcontext(uow), service.refit)


LEASE = 600.0


def texts(n: int) -> list[EssayIn]:
    return [EssayIn(f"e{i}", text=f"Essay number {i}. " * (i + 1)) for i in range(n)]


def human(n: int = 4, **overrides) -> AssessmentRequest:
    values = {
        "essays": texts(n),
        "judge": JudgeKind.HUMAN,
        "min_comparisons_per_essay": 2,
        "max_comparisons_per_essay": 3,
        "callback_url": "http://els.test/cb",
        **overrides,
    }
    return AssessmentRequest(**values)


@pytest.fixture
def store() -> MemoryAssessmentStore:
    return MemoryAssessmentStore()


@pytest.fixture
def uow(store) -> MemoryAssessmentUnitOfWork:
    return MemoryAssessmentUnitOfWork(store)


async def create(uow, request, key=None):
    view, created = await service.create_assessment(
        uow, request, max_essays=100, idempotency_key=key
    )
    return view, created


# --------------------------------------------------------------------------- creation


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


async def test_too_many_essays_is_refused(uow):
    with pytest.raises(InvalidInput, match="at most 3"):
        await service.create_assessment(uow, AssessmentRequest(essays=texts(4)), max_essays=3)


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


# --------------------------------------------------------------------------- human judging


async def next_pair(uow, assessment_id, judge, lease=LEASE):
    return await service.next_pair(uow, assessment_id, judge, lease_seconds=lease)


async def test_next_pair_hands_out_texts_and_a_repeat_ask_gets_the_same_pair(uow):
    view, _ = await create(uow, human())
    aid = view.assessment.id
    pair = await next_pair(uow, aid, "j1")
    assert isinstance(pair, HandedPair)
    assert pair.essay_a.essay_id != pair.essay_b.essay_id
    assert pair.essay_a.text and pair.essay_b.text
    again = await next_pair(uow, aid, "j1")
    assert isinstance(again, HandedPair) and again.pair_id == pair.pair_id
    other = await next_pair(uow, aid, "j2")
    assert isinstance(other, HandedPair) and other.pair_id != pair.pair_id
    busy = {frozenset((pair.essay_a.essay_id, pair.essay_b.essay_id))}
    assert frozenset((other.essay_a.essay_id, other.essay_b.essay_id)) not in busy


async def test_next_pair_refuses_what_people_cannot_judge(uow):
    with pytest.raises(NotFound):
        await next_pair(uow, uuid.uuid4(), "j1")
    baseline, _ = await create(uow, AssessmentRequest(essays=texts(3)))
    with pytest.raises(Conflict, match="baseline"):
        await next_pair(uow, baseline.assessment.id, "j1")
    preparing, _ = await create(
        uow, human(essays=[EssayIn("a", content_id="c"), EssayIn("b", text="t")])
    )
    with pytest.raises(Conflict, match="still being fetched") as refused:
        await next_pair(uow, preparing.assessment.id, "j1")
    assert refused.value.extra["retry_after"] == service.RETRY_SECONDS


async def test_a_lapsed_lease_goes_to_another_judge_never_back_to_the_first(uow, store):
    view, _ = await create(uow, human(2, max_comparisons_per_essay=5))
    aid = view.assessment.id
    first = await next_pair(uow, aid, "j1")
    assert isinstance(first, HandedPair)
    # with two essays there is one pair: nobody else can have it while it is leased
    assert await next_pair(uow, aid, "j2") == NoPair(finished=False)
    key = (first.pair_id, "j1")
    row = store.comparisons[key]
    store.comparisons[key] = dataclasses.replace(
        row, lease_until=row.created_at - timedelta(seconds=1)
    )
    handed_on = await next_pair(uow, aid, "j2")
    assert isinstance(handed_on, HandedPair) and handed_on.pair_id == first.pair_id
    # j1 let it lapse; it is j2's now, and j1 never sees those two essays again
    assert await next_pair(uow, aid, "j1") == NoPair(finished=False)
    # the late answer of j1 still counts: a verdict is data
    _, created = await service.record_judgement(uow, _refits(uow), aid, first.pair_id, "j1", "a")
    assert created


async def test_judgements_are_idempotent_and_checked(uow, store):
    view, _ = await create(uow, human())
    aid = view.assessment.id
    pair = await next_pair(uow, aid, "j1")
    assert isinstance(pair, HandedPair)
    answered, created = await service.record_judgement(
        uow, _refits(uow), aid, pair.pair_id, "j1", "b"
    )
    assert created and answered.status is ComparisonStatus.ANSWERED and answered.winner == "b"
    same, created_again = await service.record_judgement(
        uow, _refits(uow), aid, pair.pair_id, "j1", "b"
    )
    assert not created_again and same.answered_at == answered.answered_at
    with pytest.raises(Conflict, match="already answered"):
        await service.record_judgement(uow, _refits(uow), aid, pair.pair_id, "j1", "a")
    with pytest.raises(Conflict, match="not handed"):
        await service.record_judgement(uow, _refits(uow), aid, pair.pair_id, "j2", "a")
    with pytest.raises(NotFound):
        await service.record_judgement(uow, _refits(uow), aid, uuid.uuid4(), "j1", "a")
    other, _ = await create(uow, human())
    with pytest.raises(NotFound):  # a pair of another assessment is unknown here
        await service.record_judgement(
            uow, _refits(uow), other.assessment.id, pair.pair_id, "j1", "b"
        )
    answered_rows = [c for c in store.comparisons.values() if c.status.value == "answered"]
    assert len(answered_rows) == 1


async def test_judging_until_the_method_stops_completes_once_with_one_callback(uow, store):
    view, _ = await create(uow, human(4, min_comparisons_per_essay=2, max_comparisons_per_essay=3))
    aid = view.assessment.id
    strength = {"e0": 0, "e1": 1, "e2": 2, "e3": 3}
    judges = [f"j{i}" for i in range(6)]
    handed = 0
    winners, losers = set(), set()
    for _ in range(50):
        progressed = False
        for judge in judges:
            pair = await next_pair(uow, aid, judge)
            if isinstance(pair, NoPair):
                continue
            progressed = True
            handed += 1
            a, b = pair.essay_a.essay_id, pair.essay_b.essay_id
            winner = "a" if strength[a] > strength[b] else "b"
            winners.add(a if winner == "a" else b)
            losers.add(b if winner == "a" else a)
            await service.record_judgement(uow, _refits(uow), aid, pair.pair_id, judge, winner)
        if not progressed:
            break
    done = await service.get_assessment(uow, aid)
    a = done.assessment
    assert a.status is AssessmentStatus.COMPLETED
    assert a.stop_reason in {"reliable", "budget", "exhausted"}
    # 4 essays x at most 3 comparisons each / 2 = at most 6 judgements
    assert done.answered == handed <= 6
    assert all(count <= 3 for count in done.exposure.values())
    ranking = sorted(done.essays, key=lambda e: e.rank or 0)
    # pairs are drawn at random: e2 and e3 may never meet, so e2 may lead; first place
    # never lost and last place never won
    assert ranking[0].essay_id not in losers and ranking[-1].essay_id not in winners
    assert all(e.se is not None and e.se > 0 for e in ranking)
    assert await next_pair(uow, aid, "j-late") == NoPair(finished=True)
    (callback,) = store.calls.values()
    assert list(store.calls) == [result_key(aid)]
    method, url, body = callback
    assert (method, url, body["status"]) == ("POST", "http://els.test/cb", "completed")
    assert [r["essay_id"] for r in body["ranking"]] == [e.essay_id for e in ranking]
    assert body["comparisons"] == done.answered
    assert body["stop_reason"] == a.stop_reason


async def test_extra_anchors_are_ranked_but_left_out_of_the_callback(uow, store):
    request = human(
        3,
        anchors=[
            AnchorIn("A", text="A fine anchor essay with many words."),
            AnchorIn("C", essay_id="e0"),
        ],
        grade_scale=["C", "A"],
        max_comparisons_per_essay=3,
        min_comparisons_per_essay=1,
    )
    view, _ = await create(uow, request)
    aid = view.assessment.id
    for _ in range(40):
        pair = await next_pair(uow, aid, f"judge-{_}")
        if isinstance(pair, NoPair):
            break
        winner = "a" if pair.essay_a.essay_id == "anchor-1" else "b"
        await service.record_judgement(uow, _refits(uow), aid, pair.pair_id, f"judge-{_}", winner)
    done = await service.get_assessment(uow, aid)
    assert done.assessment.status is AssessmentStatus.COMPLETED
    assert {e.essay_id for e in done.essays if e.rank is not None} == {
        "e0",
        "e1",
        "e2",
        "anchor-1",
    }
    (_, _, body) = store.calls[result_key(aid)]
    assert sorted(r["essay_id"] for r in body["ranking"]) == ["e0", "e1", "e2"]
    assert sorted(r["rank"] for r in body["ranking"]) == [1, 2, 3]
    assert all(r["grade"] in {"A", "C"} for r in body["ranking"])
    assert set(done.projections) == {"e0", "e1", "e2", "anchor-1"}


async def test_a_finished_assessment_takes_no_new_verdicts(uow, store):
    view, _ = await create(uow, human(2, max_comparisons_per_essay=5))
    aid = view.assessment.id
    pair = await next_pair(uow, aid, "j1")
    assert isinstance(pair, HandedPair)
    store.assessments[aid] = dataclasses.replace(
        store.assessments[aid], status=AssessmentStatus.FAILED
    )
    with pytest.raises(Conflict, match="failed"):
        await service.record_judgement(uow, _refits(uow), aid, pair.pair_id, "j1", "a")


@pytest.mark.parametrize("judges", [1, 2, 3, 5])
async def test_a_few_judges_never_stall_before_the_method_stops(uow, judges):
    """A judge's own past pairs must not count as leased: that once left every judge
    without a pair while the assessment still wanted judgements."""
    view, _ = await create(uow, human(5, min_comparisons_per_essay=2, max_comparisons_per_essay=3))
    aid = view.assessment.id
    for turn in range(80):
        judge = f"j{turn % judges}"
        pair = await next_pair(uow, aid, judge)
        if isinstance(pair, NoPair):
            if pair.finished:
                break
            continue
        winner = "a" if pair.essay_a.essay_id > pair.essay_b.essay_id else "b"
        await service.record_judgement(uow, _refits(uow), aid, pair.pair_id, judge, winner)
    done = await service.get_assessment(uow, aid)
    assert done.assessment.status is AssessmentStatus.COMPLETED, done.exposure


async def test_a_lost_completion_is_made_good_by_the_next_ask(uow, store):
    view, _ = await create(uow, human(2, min_comparisons_per_essay=1, max_comparisons_per_essay=1))
    aid = view.assessment.id
    pair = await next_pair(uow, aid, "j1")
    assert isinstance(pair, HandedPair)
    await service.record_judgement(uow, _refits(uow), aid, pair.pair_id, "j1", "a")
    assert store.assessments[aid].status is AssessmentStatus.COMPLETED
    # as if the process died between recording the verdict and completing
    store.assessments[aid] = dataclasses.replace(
        store.assessments[aid], status=AssessmentStatus.RUNNING, stop_reason=None
    )
    store.calls.clear()
    assert await next_pair(uow, aid, "j2") == NoPair(finished=True)
    assert store.assessments[aid].status is AssessmentStatus.COMPLETED
    assert list(store.calls) == [result_key(aid)]
