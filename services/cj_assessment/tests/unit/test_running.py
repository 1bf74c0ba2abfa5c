"""The run_assessment job against the in-memory repository: prepare, judge rounds, stop,
fail. Judges here are the real baseline and hand-written stand-ins (no mocking library)."""

from __future__ import annotations

import uuid

import pytest

from services.cj_assessment.domain import (
    AssessmentRequest,
    AssessmentStatus,
    ComparisonStatus,
    EssayIn,
    JudgeKind,
    result_key,
)
from services.cj_assessment.judges import Judges
from services.cj_assessment.protocols import (
    ContentMissing,
    ContentUnavailable,
    JudgingFailed,
    Verdict,
)
from services.cj_assessment.tests.unit.helpers import CLOCK, create, get
from services.cj_assessment.use_cases import (
    GiveUpAssessment,
    GiveUpAssessmentCommand,
    RunAssessment,
    RunAssessmentCommand,
    RunLimits,
)

WORDS = ["the", "river", "carries", "stories", "of", "towns", "and", "people", "who"]
WORDS += ["lived", "beside", "its", "banks"]


def essay_text(quality: int) -> str:
    """Longer, richer essays for higher quality, so the baseline has something to see."""
    sentences = [
        " ".join(WORDS[(i + k) % len(WORDS)] for k in range(8 + quality)).capitalize() + "."
        for i in range(2 + 2 * quality)
    ]
    return " ".join(sentences)


class FakeContent:
    def __init__(self, texts: dict[str, str], errors: dict[str, Exception] | None = None):
        self.texts = texts
        self.errors = errors or {}
        self.asked: list[str] = []

    async def fetch_text(self, content_id: str) -> str:
        self.asked.append(content_id)
        if content_id in self.errors:
            raise self.errors[content_id]
        return self.texts[content_id]


class BrokenJudge:
    judge_id = "llm:broken"

    def __init__(self) -> None:
        self.calls = 0

    async def judge(self, instructions: str | None, text_a: str, text_b: str) -> Verdict:
        self.calls += 1
        raise JudgingFailed("attempt 1: malformed answer: winner must be 'A' or 'B'")


class LengthJudge:
    """Prefers the longer essay; fails every third call."""

    judge_id = "llm:length"

    def __init__(self) -> None:
        self.calls = 0

    async def judge(self, instructions: str | None, text_a: str, text_b: str) -> Verdict:
        self.calls += 1
        if self.calls % 3 == 0:
            raise JudgingFailed("attempt 1: timed out")
        return Verdict("a" if len(text_a) >= len(text_b) else "b", 0.9, "longer")


async def start(uow, n=8, judge=JudgeKind.BASELINE, **overrides) -> uuid.UUID:
    request = AssessmentRequest(
        essays=[EssayIn(f"e{q}", content_id=f"c{q}") for q in range(n)],
        judge=judge,
        callback_url="http://els.test/cb",
        min_comparisons_per_essay=3,
        max_comparisons_per_essay=6,
        **overrides,
    )
    view, _ = await create(uow, request)
    return view.assessment.id


def content_for(n: int) -> FakeContent:
    return FakeContent({f"c{q}": essay_text(q) for q in range(n)})


def run_assessment(uow, content, judges=None, limits=RunLimits()) -> RunAssessment:
    return RunAssessment(uow, content, judges or Judges(llm=None), limits, CLOCK)


async def run(uow, content, aid, judges=None, last_attempt=False, limits=RunLimits()):
    command = RunAssessmentCommand(aid, last_attempt=last_attempt)
    await run_assessment(uow, content, judges, limits).execute(command)


async def test_a_baseline_run_fetches_texts_judges_and_completes_with_one_callback(uow, store):
    aid = await start(uow)
    content = content_for(8)
    await run(uow, content, aid)
    view = await get(uow, aid)
    a = view.assessment
    assert a.status is AssessmentStatus.COMPLETED and a.stop_reason is not None
    assert sorted(content.asked) == sorted(f"c{q}" for q in range(8))
    assert [store.essays[(aid, f"e{q}")].text for q in range(8)] == [
        essay_text(q) for q in range(8)
    ]
    assert view.failed == 0 and view.answered >= 8 * 3 / 2
    assert all(view.exposure[e] >= 3 or a.stop_reason != "reliable" for e in view.exposure)
    assert all(count <= 6 for count in view.exposure.values())
    assert [j.judge_id for j in view.judges] == ["baseline"]
    assert view.judges[0].judgements == view.answered
    (method, url, body) = store.calls[result_key(aid)]
    assert body["status"] == "completed" and len(body["ranking"]) == 8
    assert body["comparisons"] == view.answered
    # the baseline prefers the longer, richer essays: the best quality ranks near the top
    top = [r["essay_id"] for r in body["ranking"][:3]]
    assert "e7" in top

    asked = len(content.asked)
    await run(uow, content, aid)  # a repeat of a finished job changes nothing
    assert len(content.asked) == asked and len(store.calls) == 1


async def test_a_restarted_run_continues_from_the_recorded_rounds(uow, store):
    aid = await start(uow)
    content = content_for(8)
    runs = run_assessment(uow, content)
    assessment = await runs.prepare(
        (await get(uow, aid)).assessment,
        (await get(uow, aid)).essays,
        False,
    )
    assert assessment is not None and assessment.status is AssessmentStatus.RUNNING
    judges = Judges(llm=None)
    assert not await runs.run_round(judges.baseline, aid)
    first_round = len(store.comparisons)
    assert first_round == 4  # n/2 pairs a round
    # "crash", then the job runs again from the top: no texts fetched twice, rounds kept
    await run(uow, content, aid)
    assert len(content.asked) == 8
    view = await get(uow, aid)
    assert view.assessment.status is AssessmentStatus.COMPLETED
    assert view.answered > first_round


async def test_content_that_does_not_exist_fails_the_assessment_with_the_reason(uow, store):
    aid = await start(uow, n=3)
    content = FakeContent(
        {"c0": "text", "c2": "text"}, {"c1": ContentMissing("content_service answered HTTP 404")}
    )
    await run(uow, content, aid)
    a = (await get(uow, aid)).assessment
    assert a.status is AssessmentStatus.FAILED
    assert "e1" in (a.failure_reason or "") and "404" in (a.failure_reason or "")
    (_, _, body) = store.calls[result_key(aid)]
    assert body == {
        "status": "failed",
        "assessment_id": str(aid),
        "batch_id": None,
        "reason": a.failure_reason,
    }


async def test_content_service_down_is_retried_then_reported_on_the_last_attempt(uow, store):
    aid = await start(uow, n=2)
    content = FakeContent({"c0": "text"}, {"c1": ContentUnavailable("HTTP 503")})
    with pytest.raises(ContentUnavailable):
        await run(uow, content, aid)
    assert (await get(uow, aid)).assessment.status is (AssessmentStatus.PREPARING)
    assert store.calls == {}
    await run(uow, content, aid, last_attempt=True)
    a = (await get(uow, aid)).assessment
    assert a.status is AssessmentStatus.FAILED and "unavailable" in (a.failure_reason or "")
    assert store.calls[result_key(aid)][2]["status"] == "failed"


async def test_failed_llm_comparisons_are_recorded_and_too_many_fail_the_run(uow, store):
    aid = await start(uow, n=6, judge=JudgeKind.LLM)
    judge = BrokenJudge()
    await run(uow, content_for(6), aid, Judges(llm=judge), limits=RunLimits(5))
    view = await get(uow, aid)
    assert view.assessment.status is AssessmentStatus.FAILED
    failed = [c for c in store.comparisons.values() if c.status is ComparisonStatus.FAILED]
    assert len(failed) == judge.calls >= 5
    assert all("malformed" in (c.error or "") for c in failed)
    assert all(c.judge_id == "llm:broken" for c in failed)
    assert "malformed" in (view.assessment.failure_reason or "")
    assert store.calls[result_key(aid)][2]["status"] == "failed"


async def test_some_failed_llm_comparisons_are_kept_and_the_run_still_completes(uow, store):
    aid = await start(uow, n=6, judge=JudgeKind.LLM, instructions="Prefer the longer one")
    judge = LengthJudge()
    await run(uow, content_for(6), aid, Judges(llm=judge))
    view = await get(uow, aid)
    assert view.assessment.status is AssessmentStatus.COMPLETED
    assert view.failed >= 1 and view.answered + view.failed == judge.calls
    rows = list(store.comparisons.values())
    assert {c.status for c in rows} == {ComparisonStatus.ANSWERED, ComparisonStatus.FAILED}
    assert all(c.confidence == 0.9 for c in rows if c.status is ComparisonStatus.ANSWERED)
    ranking = sorted(view.essays, key=lambda e: e.rank or 0)
    losers = {
        c.essay_b if c.winner == "a" else c.essay_a
        for c in rows
        if c.status is ComparisonStatus.ANSWERED
    }
    # the judge prefers the longer essay; pairs are random, so e4 may lead if it never met e5
    assert ranking[0].essay_id not in losers and "e5" not in losers


async def test_llm_judging_without_an_endpoint_fails_with_a_reason(uow, store):
    aid = await start(uow, n=3, judge=JudgeKind.LLM)
    await run(uow, content_for(3), aid, Judges(llm=None))
    a = (await get(uow, aid)).assessment
    assert a.status is AssessmentStatus.FAILED
    assert "CJ_ASSESSMENT_LLM_BASE_URL" in (a.failure_reason or "")


async def test_give_up_reports_once(uow, store):
    aid = await start(uow, n=3)
    give_up = GiveUpAssessment(uow, CLOCK)
    await give_up.execute(GiveUpAssessmentCommand(aid, "the assessment run kept crashing"))
    await give_up.execute(GiveUpAssessmentCommand(aid, "a second reason"))
    a = (await get(uow, aid)).assessment
    assert a.failure_reason == "the assessment run kept crashing"
    assert len(store.calls) == 1
