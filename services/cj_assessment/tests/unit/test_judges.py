"""A teacher leaves a judge out of the fit and takes them back (in-memory repository)."""

from __future__ import annotations

import uuid

import pytest

from service_kit.errors import Conflict, NotFound
from services.cj_assessment import method
from services.cj_assessment.runs.progress import judgements_of
from services.cj_assessment.schemas import AssessmentOut
from services.cj_assessment.tests.unit.helpers import CLOCK, create, get, human, next_pair, record
from services.cj_assessment.use_cases import (
    ExcludeJudge,
    ExcludeJudgeCommand,
    HandedPair,
    IncludeJudge,
    IncludeJudgeCommand,
)


async def _judged(uow, store) -> uuid.UUID:
    view, _ = await create(uow, human(6, min_comparisons_per_essay=4, max_comparisons_per_essay=6))
    aid = view.assessment.id
    for turn in range(8):
        judge = f"j{turn % 2}"
        pair = await next_pair(uow, aid, judge)
        assert isinstance(pair, HandedPair)
        # j0 prefers the longer essay (higher number), j1 the shorter one
        a, b = pair.essay_a.essay_id, pair.essay_b.essay_id
        longer_is_a = int(a[1:]) > int(b[1:])
        await record(uow, aid, pair.pair_id, judge, "a" if longer_is_a == (judge == "j0") else "b")
    return aid


async def test_excluding_a_judge_refits_without_them_and_the_undo_brings_them_back(uow, store):
    aid = await _judged(uow, store)
    comparisons = await uow.assessments.comparisons(aid)
    ids = [f"e{k}" for k in range(6)]
    only_j0 = [j for j in judgements_of(comparisons) if j.judge_id == "j0"]
    expected = method.estimate(ids, only_j0)

    view = await ExcludeJudge(uow, CLOCK).execute(ExcludeJudgeCommand(aid, "j1"))
    assert view.assessment.excluded_judges == ["j1"]
    assert view.answered == 8  # the judgements stay stored
    ranked = sorted((e for e in view.essays), key=lambda e: e.rank or 0)
    assert [e.essay_id for e in ranked] == [r.essay_id for r in expected.ranking]
    assert ranked[0].score == pytest.approx(expected.ranking[0].score, abs=1e-9)

    again = await ExcludeJudge(uow, CLOCK).execute(ExcludeJudgeCommand(aid, "j1"))
    assert again.assessment.excluded_judges == ["j1"]  # excluding twice changes nothing

    back = await IncludeJudge(uow, CLOCK).execute(IncludeJudgeCommand(aid, "j1"))
    assert back.assessment.excluded_judges == []
    everyone = method.estimate(ids, judgements_of(comparisons))
    ranked = sorted((e for e in back.essays), key=lambda e: e.rank or 0)
    assert ranked[0].score == pytest.approx(everyone.ranking[0].score, abs=1e-9)


async def test_excluding_an_unknown_judge_or_on_a_finished_assessment_is_refused(uow, store):
    aid = await _judged(uow, store)
    with pytest.raises(NotFound):
        await ExcludeJudge(uow, CLOCK).execute(ExcludeJudgeCommand(aid, "nobody"))
    with pytest.raises(NotFound):
        await ExcludeJudge(uow, CLOCK).execute(ExcludeJudgeCommand(uuid.uuid4(), "j0"))
    view, _ = await create(uow, human(2, min_comparisons_per_essay=1, max_comparisons_per_essay=1))
    pair = await next_pair(uow, view.assessment.id, "j0")
    assert isinstance(pair, HandedPair)
    await record(uow, view.assessment.id, pair.pair_id, "j0", "a")
    with pytest.raises(Conflict, match="completed"):
        await IncludeJudge(uow, CLOCK).execute(IncludeJudgeCommand(view.assessment.id, "j0"))


async def test_a_human_judge_who_always_picks_one_side_is_left_out_until_a_teacher_decides(
    uow, store
):
    view, _ = await create(
        uow, human(10, min_comparisons_per_essay=8, max_comparisons_per_essay=10)
    )
    aid = view.assessment.id
    for turn in range(30):
        judge = ("good", "second")[turn % 2]
        pair = await next_pair(uow, aid, judge)
        assert isinstance(pair, HandedPair)
        a, b = pair.essay_a.essay_id, pair.essay_b.essay_id
        longer_is_a = int(a[1:]) > int(b[1:])
        winner = "b" if judge == "second" or not longer_is_a else "a"
        await record(uow, aid, pair.pair_id, judge, winner)
    got = await get(uow, aid)
    assert got.assessment.status.value == "running"
    reports = {j.judge_id: j for j in got.judges}
    assert reports["second"].degenerate == "chose the essay shown second in 15 of 15 comparisons"
    assert reports["good"].degenerate is None
    comparisons = await uow.assessments.comparisons(aid)
    ids = [f"e{k}" for k in range(10)]
    good_only = method.estimate(
        ids, [j for j in judgements_of(comparisons) if j.judge_id == "good"]
    )
    ranked = sorted(got.essays, key=lambda e: e.rank or 0)
    assert ranked[0].score == pytest.approx(good_only.ranking[0].score, abs=1e-9)
    report = AssessmentOut.of_view(got).report
    flagged = next(j for j in report.judges if j.judge_id == "second")
    assert flagged.left_out and not flagged.excluded
    assert any("second chose the essay shown second" in note for note in report.notes)

    kept = await IncludeJudge(uow, CLOCK).execute(IncludeJudgeCommand(aid, "second"))
    assert kept.assessment.kept_judges == ["second"]
    everyone = method.estimate(ids, judgements_of(comparisons))
    ranked = sorted(kept.essays, key=lambda e: e.rank or 0)
    assert ranked[0].score == pytest.approx(everyone.ranking[0].score, abs=1e-9)
    assert not next(
        j for j in AssessmentOut.of_view(kept).report.judges if j.judge_id == "second"
    ).left_out
