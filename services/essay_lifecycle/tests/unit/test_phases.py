"""Phase fan-out, callbacks and outcomes against the in-memory repositories."""

import uuid

import pytest

from service_kit.errors import Conflict
from services.essay_lifecycle import phases, service
from services.essay_lifecycle.domain import Batch, EssayStatus, Phase
from services.essay_lifecycle.phases import (
    AssessmentResult,
    Peers,
    PhaseCommand,
    SpellcheckResult,
)
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)

PEERS = Peers("http://els", "http://spell", "http://cj")


@pytest.fixture
def store() -> MemoryEssayStore:
    return MemoryEssayStore()


def uow(store):
    return MemoryEssayUnitOfWork(store)


async def batch_with_files(store, good: int = 3, rejected: int = 1) -> str:
    batch_id = uuid.uuid4().hex
    await service.register_batch(uow(store), Batch(batch_id, "sv", good + rejected, "http://bos"))
    for i in range(good):
        notice = service.FileNotice(f"f{i}", f"e{i}.txt", 1, f"{i:064d}", f"{i + 50:064d}")
        await service.receive_file(uow(store), batch_id, notice, None)
    for i in range(rejected):
        notice = service.FileNotice(f"r{i}", f"bad{i}.pdf", error_code="encrypted_pdf")
        await service.receive_file(uow(store), batch_id, notice, None)
    return batch_id


def calls_to(store, prefix: str) -> list:
    return [(key, call) for key, call in store.calls.items() if key.startswith(prefix)]


async def test_the_same_file_twice_is_one_essay_and_a_new_version_replaces_the_text(store):
    batch_id = await batch_with_files(store, good=1, rejected=0)
    again = service.FileNotice("f0", "e0.txt", 1, "0" * 64)
    essay, changed = await service.receive_file(uow(store), batch_id, again, None)
    assert not changed
    assert len(store.essays) == 1
    newer = service.FileNotice("f0", "e0-v2.txt", 2, "9" * 64)
    essay, changed = await service.receive_file(uow(store), batch_id, newer, None)
    assert changed
    assert (essay.text_content_id, essay.file_version, essay.version) == ("9" * 64, 2, 2)
    assert essay.language == "sv"


async def test_a_rejected_file_becomes_a_counted_content_rejected_essay(store):
    batch_id = await batch_with_files(store, good=1, rejected=1)
    summary = await service.summary(uow(store), batch_id)
    assert summary.by_status == {"ready": 1, "content_rejected": 1}
    assert summary.terminal == 1
    assert summary.completion_percent == 50.0


async def test_spellcheck_fans_out_one_job_per_eligible_essay_and_reports_once(store):
    batch_id = await batch_with_files(store)
    run = await phases.start_phase(
        uow(store), PEERS, batch_id, Phase.SPELLCHECK, PhaseCommand(), "c"
    )
    assert run.essay_count == 3
    jobs = calls_to(store, "spellcheck:")
    assert len(jobs) == 3
    _, (method, url, body) = jobs[0]
    assert (method, url) == ("POST", "http://spell/v1/jobs")
    assert body["language"] == "sv"
    assert body["callback_url"].startswith("http://els/internal/v1/essays/")
    essays = await service.list_essays(uow(store), batch_id, status=None, after=None, limit=10)
    in_progress = [e for e in essays if e.status is EssayStatus.SPELLCHECK_IN_PROGRESS]
    assert len(in_progress) == 3

    results = []
    for i, essay in enumerate(in_progress):
        ok = i < 2
        result = SpellcheckResult(
            ok,
            f"{i + 7:064d}" if ok else None,
            {"error_count": i},
            None if ok else "could not fetch the text",
        )
        results.append(await phases.spellcheck_result(uow(store), essay.id, 1, result, None))
    assert [r.outcome_sent for r in results] == [False, False, True]
    [(key, (method, url, outcome))] = calls_to(store, "outcome:")
    assert url == f"http://bos/internal/v1/batches/{batch_id}/phase-outcomes"
    assert (outcome["phase"], outcome["attempt"]) == ("spellcheck", 1)
    assert len(outcome["succeeded"]) == 2 and len(outcome["failed"]) == 1
    assert outcome["results"][str(in_progress[0].id)]["spelling"] == {"error_count": 0}

    repeat = await phases.spellcheck_result(
        uow(store), in_progress[0].id, 1, SpellcheckResult(True, "x" * 64), None
    )
    assert not repeat.applied
    assert len(calls_to(store, "outcome:")) == 1


async def test_retry_moves_failed_essays_back_and_a_last_phase_completes(store):
    batch_id = await batch_with_files(store, good=1, rejected=0)
    await phases.start_phase(uow(store), PEERS, batch_id, Phase.SPELLCHECK, PhaseCommand(), None)
    [essay] = await service.list_essays(uow(store), batch_id, status=None, after=None, limit=5)
    await phases.spellcheck_result(
        uow(store), essay.id, 1, SpellcheckResult(False, reason="x"), None
    )
    assert (await service.get_essay(uow(store), essay.id)).status is EssayStatus.SPELLCHECK_FAILED

    retry = PhaseCommand(attempt=2, last_phase=True)
    await phases.start_phase(uow(store), PEERS, batch_id, Phase.SPELLCHECK, retry, None)
    assert (await service.get_essay(uow(store), essay.id)).phase_attempt == 2
    stale = await phases.spellcheck_result(uow(store), essay.id, 1, SpellcheckResult(True), None)
    assert not stale.applied
    done = await phases.spellcheck_result(
        uow(store), essay.id, 2, SpellcheckResult(True, "c" * 64), None
    )
    assert done.outcome_sent
    final = await service.get_essay(uow(store), essay.id)
    assert final.status is EssayStatus.COMPLETED
    timeline = await service.timeline(uow(store), essay.id)
    assert [e.sequence for e in timeline] == list(range(1, final.version + 1))


async def test_assessment_ranks_the_batch_and_failure_fails_every_essay(store):
    batch_id = await batch_with_files(store, good=3, rejected=0)
    await phases.start_phase(uow(store), PEERS, batch_id, Phase.SPELLCHECK, PhaseCommand(), None)
    essays = await service.list_essays(uow(store), batch_id, status=None, after=None, limit=5)
    for e in essays:
        await phases.spellcheck_result(uow(store), e.id, 1, SpellcheckResult(True, "c" * 64), None)
    command = PhaseCommand(last_phase=True, settings={"judge": "baseline"})
    await phases.start_phase(uow(store), PEERS, batch_id, Phase.CJ_ASSESSMENT, command, None)
    [(_, (_, url, body))] = calls_to(store, "cj_assessment:")
    assert url == "http://cj/v1/assessments"
    assert body["judge"] == "baseline" and len(body["essays"]) == 3

    ranking = [
        {"essay_id": str(e.id), "score": 1.0 - i, "se": 0.3, "rank": i + 1}
        for i, e in enumerate(essays[:2])
    ]
    applied = await phases.assessment_result(
        uow(store), batch_id, 1, AssessmentResult(True, ranking, summary={"reliability": 0.8}), None
    )
    assert applied.outcome_sent
    statuses = {(await service.get_essay(uow(store), e.id)).status for e in essays}
    assert statuses == {EssayStatus.COMPLETED, EssayStatus.CJ_ASSESSMENT_FAILED}
    outcome = next(b for k, (_, _, b) in store.calls.items() if k.endswith("cj_assessment:1"))
    assert outcome["summary"] == {"reliability": 0.8}
    assert len(outcome["failed"]) == 1


async def test_unregistered_batches_take_files_but_not_phases(store):
    notice = service.FileNotice("f", "e.txt", 1, "1" * 64)
    await service.receive_file(uow(store), "early", notice, None)
    with pytest.raises(Conflict):
        await phases.start_phase(uow(store), PEERS, "early", Phase.SPELLCHECK, PhaseCommand(), None)
    await service.register_batch(uow(store), Batch("early", "en", None, "http://bos"))
    [essay] = await service.list_essays(uow(store), "early", status=None, after=None, limit=5)
    assert essay.language == "en"


async def test_cancel_finishes_open_runs_and_reports_them(store):
    batch_id = await batch_with_files(store, good=2, rejected=0)
    await phases.start_phase(uow(store), PEERS, batch_id, Phase.SPELLCHECK, PhaseCommand(), None)
    assert await phases.cancel_batch(uow(store), batch_id, None) == 2
    [(_, (_, _, outcome))] = calls_to(store, "outcome:")
    assert outcome["succeeded"] == []
    assert {f["status"] for f in outcome["failed"]} == {"cancelled"}


async def test_deleting_the_last_open_essay_finishes_its_run(store):
    batch_id = await batch_with_files(store, good=2, rejected=0)
    await phases.start_phase(uow(store), PEERS, batch_id, Phase.SPELLCHECK, PhaseCommand(), None)
    essays = await service.list_essays(uow(store), batch_id, status=None, after=None, limit=5)
    await phases.spellcheck_result(uow(store), essays[0].id, 1, SpellcheckResult(True), None)
    assert calls_to(store, "outcome:") == []
    withdrawn = await phases.withdraw_file(uow(store), batch_id, essays[1].file_id, None)
    assert withdrawn is not None and withdrawn.status is EssayStatus.CANCELLED
    [(_, (_, _, outcome))] = calls_to(store, "outcome:")
    assert outcome["succeeded"] == [str(essays[0].id)]
    assert outcome["failed"] == [{"essay_id": str(essays[1].id), "status": "cancelled"}]


async def test_a_late_file_version_after_work_started_changes_nothing(store):
    batch_id = await batch_with_files(store, good=1, rejected=0)
    await phases.start_phase(uow(store), PEERS, batch_id, Phase.SPELLCHECK, PhaseCommand(), None)
    late = service.FileNotice("f0", "e0-v2.txt", 2, "8" * 64)
    essay, changed = await service.receive_file(uow(store), batch_id, late, None)
    assert not changed
    assert essay.status is EssayStatus.SPELLCHECK_IN_PROGRESS
    assert essay.text_content_id == f"{0:064d}"
