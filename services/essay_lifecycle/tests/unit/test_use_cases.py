"""Every use case against the in-memory storage: files, phase fan-out, result callbacks,
outcomes, cancelling, reads."""

import uuid
from datetime import UTC, datetime

import pytest

from service_kit.clock import SettableClock
from service_kit.errors import Conflict, InvalidInput, NotFound
from services.essay_lifecycle.domain import EssayStatus, Phase, PhaseRunStatus
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssaySettler,
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)
from services.essay_lifecycle.tests.use_cases import Els


@pytest.fixture
def store() -> MemoryEssayStore:
    return MemoryEssayStore()


@pytest.fixture
def els(store) -> Els:
    return Els(lambda: MemoryEssayUnitOfWork(store), MemoryEssaySettler(store))


async def batch_with_files(els: Els, good: int = 3, rejected: int = 1) -> str:
    batch_id = uuid.uuid4().hex
    await els.register(batch_id, "sv", good + rejected)
    for i in range(good):
        await els.notice(batch_id, f"f{i}", f"e{i}.txt", 1, f"{i:064d}", f"{i + 50:064d}")
    for i in range(rejected):
        await els.notice(batch_id, f"r{i}", f"bad{i}.pdf", error_code="encrypted_pdf")
    return batch_id


def calls_to(store, prefix: str) -> list:
    return [(key, call) for key, call in store.calls.items() if key.startswith(prefix)]


async def test_the_same_file_twice_is_one_essay_and_a_new_version_replaces_the_text(els, store):
    batch_id = await batch_with_files(els, good=1, rejected=0)
    again = await els.notice(batch_id, "f0", "e0.txt", 1, "0" * 64)
    assert not again.changed
    assert len(store.essays) == 1
    newer = await els.notice(batch_id, "f0", "e0-v2.txt", 2, "9" * 64)
    assert newer.changed
    essay = newer.essay
    assert (essay.text_content_id, essay.file_version, essay.version) == ("9" * 64, 2, 2)
    assert essay.language == "sv"


async def test_a_rejected_file_becomes_a_counted_content_rejected_essay(els):
    batch_id = await batch_with_files(els, good=1, rejected=1)
    summary = await els.summary(batch_id)
    assert summary.by_status == {"ready": 1, "content_rejected": 1}
    assert summary.terminal == 1
    assert summary.completion_percent == 50.0


async def test_spellcheck_fans_out_one_job_per_eligible_essay_and_reports_once(els, store):
    batch_id = await batch_with_files(els)
    run = await els.start(batch_id, Phase.SPELLCHECK, correlation_id="c")
    assert run.essay_count == 3
    jobs = calls_to(store, "spellcheck:")
    assert len(jobs) == 3
    _, (method, url, body) = jobs[0]
    assert (method, url) == ("POST", "http://spell/v1/jobs")
    assert body["language"] == "sv"
    assert body["callback_url"].startswith("http://els/internal/v1/essays/")
    essays = await els.essays(batch_id, limit=10)
    in_progress = [e for e in essays if e.status is EssayStatus.SPELLCHECK_IN_PROGRESS]
    assert len(in_progress) == 3

    results = []
    for i, essay in enumerate(in_progress):
        ok = i < 2
        results.append(
            await els.spellchecked(
                essay.id,
                1,
                ok,
                corrected_text_content_id=f"{i + 7:064d}" if ok else None,
                spelling={"error_count": i},
                reason=None if ok else "could not fetch the text",
            )
        )
    assert [r.outcome_sent for r in results] == [False, False, True]
    [(key, (method, url, outcome))] = calls_to(store, "outcome:")
    assert url == f"http://bos/internal/v1/batches/{batch_id}/phase-outcomes"
    assert (outcome["phase"], outcome["attempt"]) == ("spellcheck", 1)
    assert len(outcome["succeeded"]) == 2 and len(outcome["failed"]) == 1
    assert outcome["results"][str(in_progress[0].id)]["spelling"] == {"error_count": 0}

    repeat = await els.spellchecked(in_progress[0].id, 1, True, corrected_text_content_id="x" * 64)
    assert not repeat.applied
    assert len(calls_to(store, "outcome:")) == 1


async def test_retry_moves_failed_essays_back_and_a_last_phase_completes(els):
    batch_id = await batch_with_files(els, good=1, rejected=0)
    await els.start(batch_id, Phase.SPELLCHECK)
    [essay] = await els.essays(batch_id, limit=5)
    await els.spellchecked(essay.id, 1, False, reason="x")
    assert (await els.essay(essay.id)).status is EssayStatus.SPELLCHECK_FAILED

    await els.start(batch_id, Phase.SPELLCHECK, attempt=2, last_phase=True)
    assert (await els.essay(essay.id)).phase_attempt == 2
    stale = await els.spellchecked(essay.id, 1, True)
    assert not stale.applied
    done = await els.spellchecked(essay.id, 2, True, corrected_text_content_id="c" * 64)
    assert done.outcome_sent
    final = await els.essay(essay.id)
    assert final.status is EssayStatus.COMPLETED
    timeline = await els.timeline(essay.id)
    assert [e.sequence for e in timeline] == list(range(1, final.version + 1))


async def test_assessment_ranks_the_batch_and_failure_fails_every_essay(els, store):
    batch_id = await batch_with_files(els, good=3, rejected=0)
    await els.start(batch_id, Phase.SPELLCHECK)
    essays = await els.essays(batch_id, limit=5)
    for e in essays:
        await els.spellchecked(e.id, 1, True, corrected_text_content_id="c" * 64)
    await els.start(batch_id, Phase.CJ_ASSESSMENT, last_phase=True, settings={"judge": "baseline"})
    [(_, (_, url, body))] = calls_to(store, "cj_assessment:")
    assert url == "http://cj/v1/assessments"
    assert body["judge"] == "baseline" and len(body["essays"]) == 3

    ranking = {
        str(e.id): {
            "essay_id": str(e.id),
            "score": 1.0 - i,
            "se": 0.3,
            "rank": i + 1,
            "comparisons": 8,
        }
        for i, e in enumerate(essays[:2])
    }
    applied = await els.assessed(batch_id, 1, True, ranking=ranking, summary={"reliability": 0.8})
    assert applied.outcome_sent
    statuses = {(await els.essay(e.id)).status for e in essays}
    assert statuses == {EssayStatus.COMPLETED, EssayStatus.CJ_ASSESSMENT_FAILED}
    outcome = next(b for k, (_, _, b) in store.calls.items() if k.endswith("cj_assessment:1"))
    assert outcome["summary"] == {"reliability": 0.8}
    assert len(outcome["failed"]) == 1


async def test_unregistered_batches_take_files_but_not_phases(els):
    await els.notice("early", "f", "e.txt", 1, "1" * 64)
    with pytest.raises(Conflict):
        await els.start("early", Phase.SPELLCHECK)
    await els.register("early", "en")
    [essay] = await els.essays("early", limit=5)
    assert essay.language == "en"


async def test_cancel_finishes_open_runs_and_reports_them(els, store):
    batch_id = await batch_with_files(els, good=2, rejected=0)
    await els.start(batch_id, Phase.SPELLCHECK)
    assert await els.cancel(batch_id) == 2
    [(_, (_, _, outcome))] = calls_to(store, "outcome:")
    assert outcome["succeeded"] == []
    assert {f["status"] for f in outcome["failed"]} == {"cancelled"}


async def test_deleting_the_last_open_essay_finishes_its_run(els, store):
    batch_id = await batch_with_files(els, good=2, rejected=0)
    await els.start(batch_id, Phase.SPELLCHECK)
    essays = await els.essays(batch_id, limit=5)
    await els.spellchecked(essays[0].id, 1, True)
    assert calls_to(store, "outcome:") == []
    withdrawn = await els.forget(batch_id, essays[1].file_id)
    assert withdrawn is not None and withdrawn.status is EssayStatus.CANCELLED
    [(_, (_, _, outcome))] = calls_to(store, "outcome:")
    assert outcome["succeeded"] == [str(essays[0].id)]
    assert outcome["failed"] == [{"essay_id": str(essays[1].id), "status": "cancelled"}]


async def test_a_late_file_version_after_work_started_changes_nothing(els):
    batch_id = await batch_with_files(els, good=1, rejected=0)
    await els.start(batch_id, Phase.SPELLCHECK)
    late = await els.notice(batch_id, "f0", "e0-v2.txt", 2, "8" * 64)
    assert not late.changed
    assert late.essay.status is EssayStatus.SPELLCHECK_IN_PROGRESS
    assert late.essay.text_content_id == f"{0:064d}"


async def test_forgetting_an_unknown_or_final_file_changes_nothing(els, store):
    batch_id = await batch_with_files(els, good=0, rejected=1)
    assert await els.forget(batch_id, "no-such-file") is None
    rejected = await els.forget(batch_id, "r0")
    assert rejected is not None and rejected.status is EssayStatus.CONTENT_REJECTED
    assert rejected.version == 1 and store.calls == {}


async def test_a_run_with_nothing_to_wait_for_reports_at_once_and_a_repeat_is_the_same_run(
    els, store
):
    batch_id = await batch_with_files(els, good=0, rejected=2)
    run = await els.start(batch_id, Phase.SPELLCHECK)
    assert (run.essay_count, run.open_essays) == (0, 0)
    [(_, (_, _, outcome))] = calls_to(store, "outcome:")
    assert outcome == {
        "phase": "spellcheck",
        "attempt": 1,
        "succeeded": [],
        "failed": [],
        "results": {},
        "summary": {},
    }
    again = await els.start(batch_id, Phase.SPELLCHECK)
    assert again.status is PhaseRunStatus.REPORTED
    assert len(calls_to(store, "outcome:")) == 1


async def test_an_essay_without_text_fails_spellcheck_at_once(els, store):
    batch_id = uuid.uuid4().hex
    await els.register(batch_id)
    await els.notice(batch_id, "f0", "e0.txt", 1, "0" * 64)
    await els.notice(batch_id, "f1", "e1.txt")  # ready, but with no text to check
    await els.notice(batch_id, "f2", "e2.txt", 1, "")  # nor this one
    run = await els.start(batch_id, Phase.SPELLCHECK)
    assert (run.essay_count, run.open_essays) == (3, 1)
    assert len(calls_to(store, "spellcheck:")) == 1
    statuses = sorted(e.status.value for e in await els.essays(batch_id))
    assert statuses == ["spellcheck_failed", "spellcheck_failed", "spellcheck_in_progress"]


async def test_the_summary_follows_each_phase_attempt(els):
    batch_id = await batch_with_files(els, good=2, rejected=0)
    await els.start(batch_id, Phase.SPELLCHECK)
    [first, _] = await els.essays(batch_id)
    await els.spellchecked(first.id, 1, True)
    summary = await els.summary(batch_id)
    assert summary.phases == [
        {"phase": "spellcheck", "attempt": 1, "status": "running", "essays": 2, "finished": 1}
    ]
    assert summary.expected_essay_count == 2 and summary.completion_percent == 0.0
    with pytest.raises(NotFound):
        await els.summary("no-such-batch")


async def test_essays_come_page_by_page_and_a_bad_cursor_or_limit_is_refused(els):
    batch_id = await batch_with_files(els, good=3, rejected=2)
    seen, cursor = [], None
    while True:
        page = await els.essays_page(batch_id, limit=2, cursor=cursor)
        seen += page.essays
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 5 and len({e.id for e in seen}) == 5
    rejected = await els.essays(batch_id, status=EssayStatus.CONTENT_REJECTED)
    assert {e.file_id for e in rejected} == {"r0", "r1"}
    with pytest.raises(InvalidInput):
        await els.essays(batch_id, cursor="not-a-cursor")
    with pytest.raises(InvalidInput):
        await els.essays(batch_id, limit=0)


async def test_unknown_essays_batches_and_runs_are_not_found(els):
    with pytest.raises(NotFound):
        await els.essay(uuid.uuid4())
    with pytest.raises(NotFound):
        await els.timeline(uuid.uuid4())
    with pytest.raises(NotFound):
        await els.spellchecked(uuid.uuid4(), 1, True)
    with pytest.raises(NotFound):
        await els.assessed("no-such-batch", 1, True)
    with pytest.raises(NotFound):
        await els.cancel("no-such-batch")


async def test_every_time_written_is_the_clocks(store):
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    clock = SettableClock(t0)
    els = Els(lambda: MemoryEssayUnitOfWork(store), MemoryEssaySettler(store), clock)
    batch = await els.register("b", "en", 1)
    assert batch.created_at == t0
    essay = (await els.notice("b", "f", "e.txt", 1, "1" * 64)).essay
    assert essay.created_at == essay.updated_at == t0
    t1 = clock.advance(minutes=3)
    run = await els.start("b", Phase.SPELLCHECK)
    assert run.created_at == t1
    t2 = clock.advance(minutes=4)
    await els.spellchecked(essay.id, 1, True)
    done = await els.essay(essay.id)
    assert (done.created_at, done.updated_at) == (t0, t2)
    assert [e.at for e in await els.timeline(essay.id)] == [t0, t1, t1, t2]
    assert store.runs[("b", Phase.SPELLCHECK, 1)].reported_at == t2
