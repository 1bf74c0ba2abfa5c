"""People judging against the in-memory repository: pairs handed out and handed on, verdicts
recorded and checked, refits, stopping and the one callback."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service_kit.clock import SettableClock
from service_kit.errors import Conflict, NotFound
from services.cj_assessment.domain import (
    AnchorIn,
    AssessmentRequest,
    AssessmentStatus,
    ComparisonStatus,
    EssayIn,
    result_key,
)
from services.cj_assessment.tests.unit.helpers import create, get, human, next_pair, record, texts
from services.cj_assessment.use_cases import HandedPair, NoPair
from services.cj_assessment.use_cases.human_judging import RETRY_SECONDS


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
    assert refused.value.extra["retry_after"] == RETRY_SECONDS


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
    _, created = await record(uow, aid, first.pair_id, "j1", "a")
    assert created


async def test_a_lease_lapses_by_the_clock_after_the_lease_time(uow):
    clock = SettableClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    view, _ = await create(uow, human(2, max_comparisons_per_essay=5), clock=clock)
    aid = view.assessment.id
    first = await next_pair(uow, aid, "j1", lease=600, clock=clock)
    assert isinstance(first, HandedPair)
    assert first.lease_until == clock.now() + timedelta(seconds=600)
    clock.advance(seconds=599)
    assert await next_pair(uow, aid, "j2", lease=600, clock=clock) == NoPair(finished=False)
    clock.advance(seconds=2)
    handed_on = await next_pair(uow, aid, "j2", lease=600, clock=clock)
    assert isinstance(handed_on, HandedPair) and handed_on.pair_id == first.pair_id
    assert handed_on.lease_until == clock.now() + timedelta(seconds=600)


async def test_judgements_are_idempotent_and_checked(uow, store):
    view, _ = await create(uow, human())
    aid = view.assessment.id
    pair = await next_pair(uow, aid, "j1")
    assert isinstance(pair, HandedPair)
    answered, created = await record(uow, aid, pair.pair_id, "j1", "b")
    assert created and answered.status is ComparisonStatus.ANSWERED and answered.winner == "b"
    same, created_again = await record(uow, aid, pair.pair_id, "j1", "b")
    assert not created_again and same.answered_at == answered.answered_at
    with pytest.raises(Conflict, match="already answered"):
        await record(uow, aid, pair.pair_id, "j1", "a")
    with pytest.raises(Conflict, match="not handed"):
        await record(uow, aid, pair.pair_id, "j2", "a")
    with pytest.raises(NotFound):
        await record(uow, aid, uuid.uuid4(), "j1", "a")
    other, _ = await create(uow, human())
    with pytest.raises(NotFound):  # a pair of another assessment is unknown here
        await record(uow, other.assessment.id, pair.pair_id, "j1", "b")
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
            await record(uow, aid, pair.pair_id, judge, winner)
        if not progressed:
            break
    done = await get(uow, aid)
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
        await record(uow, aid, pair.pair_id, f"judge-{_}", winner)
    done = await get(uow, aid)
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
        await record(uow, aid, pair.pair_id, "j1", "a")


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
        await record(uow, aid, pair.pair_id, judge, winner)
    done = await get(uow, aid)
    assert done.assessment.status is AssessmentStatus.COMPLETED, done.exposure


async def test_a_lost_completion_is_made_good_by_the_next_ask(uow, store):
    view, _ = await create(uow, human(2, min_comparisons_per_essay=1, max_comparisons_per_essay=1))
    aid = view.assessment.id
    pair = await next_pair(uow, aid, "j1")
    assert isinstance(pair, HandedPair)
    await record(uow, aid, pair.pair_id, "j1", "a")
    assert store.assessments[aid].status is AssessmentStatus.COMPLETED
    # as if the process died between recording the verdict and completing
    store.assessments[aid] = dataclasses.replace(
        store.assessments[aid], status=AssessmentStatus.RUNNING, stop_reason=None
    )
    store.calls.clear()
    assert await next_pair(uow, aid, "j2") == NoPair(finished=True)
    assert store.assessments[aid].status is AssessmentStatus.COMPLETED
    assert list(store.calls) == [result_key(aid)]
