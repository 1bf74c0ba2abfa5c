"""batch_orchestrator use cases against the in-memory repositories."""

import uuid

import pytest

from contracts.batches import CjSettings, SpellcheckSettings
from contracts.outcomes import EssayOutcome
from contracts.spellcheck import SpellcheckFigures
from service_kit.clock import SettableClock
from service_kit.errors import Conflict, NotFound, PeerUnavailable
from services.batch_orchestrator.config import Peers
from services.batch_orchestrator.domain import BatchStatus, Outcome, PhaseState
from services.batch_orchestrator.repository_memory_impl import (
    MemoryOrchestratorStore,
    MemoryOrchestratorUnitOfWork,
)
from services.batch_orchestrator.tests.unit.fakes import T0, Counts, Files
from services.batch_orchestrator.use_cases import (
    ApplyPhaseOutcome,
    ApplyPhaseOutcomeCommand,
    CancelBatch,
    CancelBatchCommand,
    CreateBatch,
    CreateBatchCommand,
    GetBatch,
    GetBatchCommand,
    GetResults,
    GetResultsCommand,
    RetryPhase,
    RetryPhaseCommand,
    StartPipeline,
    StartPipelineCommand,
)

PEERS = Peers("http://bos", "http://els")
CLOCK = SettableClock(T0)
# essay_lifecycle's essay ids are UUIDs (the phase command carries them as such)
E1, E2, E3 = (str(uuid.uuid4()) for _ in range(3))


READY = Counts({"ready": 3})
THREE = Files(3)


@pytest.fixture
def store() -> MemoryOrchestratorStore:
    return MemoryOrchestratorStore()


def uow(store):
    return MemoryOrchestratorUnitOfWork(store)


async def new_batch(store, pipeline=("spellcheck", "cj_assessment")):
    view = await CreateBatch(uow(store), PEERS, CLOCK).execute(
        CreateBatchCommand(
            owner="teacher-1",
            name="7B",
            language="sv",
            pipeline=list(pipeline),
            expected_essay_count=3,
            spellcheck=SpellcheckSettings(),
            cj=CjSettings(judge="baseline") if "cj_assessment" in pipeline else None,
        )
    )
    return view.batch


def start(store, counts, files, batch_id, caller=None):
    return StartPipeline(uow(store), counts, files, PEERS, CLOCK).execute(
        StartPipelineCommand(batch_id, caller)
    )


async def apply(store, batch_id, outcome):
    done = await ApplyPhaseOutcome(uow(store), PEERS, CLOCK).execute(
        ApplyPhaseOutcomeCommand(batch_id, outcome)
    )
    return done.applied


async def get(store, batch_id):
    return await GetBatch(uow(store), READY).execute(GetBatchCommand(batch_id, None))


async def results(store, batch_id):
    return await GetResults(uow(store)).execute(GetResultsCommand(batch_id, None))


def retry(store, batch_id, phase):
    return RetryPhase(uow(store), PEERS, CLOCK).execute(RetryPhaseCommand(batch_id, phase, None))


def cancel(store, batch_id):
    return CancelBatch(uow(store), PEERS, CLOCK).execute(CancelBatchCommand(batch_id, None))


def outcome(phase, attempt, ok, bad):
    results = {
        e: EssayOutcome(
            filename=f"{e}.txt",
            status=f"{phase}_succeeded" if e in ok else f"{phase}_failed",
            spelling=SpellcheckFigures(error_count=1),
        )
        for e in ok + bad
    }
    return Outcome(
        phase,
        attempt,
        ok,
        bad,
        results,
        {"reliability": 0.8} if phase == "cj_assessment" else {},
    )


async def test_creation_registers_with_essay_lifecycle_in_the_same_commit(store):
    batch = await new_batch(store)
    assert batch.status is BatchStatus.AWAITING_CONTENT
    method, url, body = store.calls[f"register:{batch.id}"]
    assert (method, url) == ("POST", "http://els/internal/v1/batches")
    assert body == {
        "batch_id": batch.id,
        "language": "sv",
        "callback_url": "http://bos",
        "expected_essay_count": 3,
    }
    assert [c.to_status for c in store.log] == ["awaiting_content"]


async def test_start_needs_a_ready_essay_and_a_reachable_essay_lifecycle(store):
    batch = await new_batch(store)
    with pytest.raises(Conflict):
        await start(store, Counts({}), THREE, batch.id)
    with pytest.raises(PeerUnavailable) as unavailable:
        await start(store, Counts(None), THREE, batch.id)
    assert unavailable.value.extra["retry_after"] == 5
    with pytest.raises(NotFound):
        await start(store, READY, THREE, batch.id, "someone-else")
    started = await start(store, READY, THREE, batch.id, "teacher-1")
    assert started.status is BatchStatus.PROCESSING and started.snapshot_id is not None
    _, url, body = store.calls[f"phase:{batch.id}:spellcheck:1"]
    assert url == f"http://els/internal/v1/batches/{batch.id}/phases/spellcheck"
    assert body == {"attempt": 1, "last_phase": False, "settings": {"ignore": []}}
    with pytest.raises(Conflict):
        await start(store, READY, THREE, batch.id)
    assert [c.to_status for c in store.log if c.phase is None] == [
        "awaiting_content",
        "ready",
        "processing",
    ]


async def test_start_waits_for_every_accepted_file(store):
    batch = await new_batch(store)
    reading = Files(ready=28, processing=12)
    with pytest.raises(Conflict) as refused:
        await start(store, Counts({"ready": 28}), reading, batch.id)
    assert refused.value.extra["files_processing"] == 12
    assert refused.value.extra["retry_after"] == 2
    assert "12 of the batch's 40 files are still being processed" in refused.value.detail
    # file_service has all 40, but essay_lifecycle has heard of 38: still not
    with pytest.raises(Conflict) as behind:
        await start(store, Counts({"ready": 38}), Files(40), batch.id)
    assert behind.value.extra["files_processing"] == 2
    unreachable = Files(40)
    unreachable.reachable = False
    with pytest.raises(PeerUnavailable):
        await start(store, READY, unreachable, batch.id)
    assert not store.calls.get(f"phase:{batch.id}:spellcheck:1")
    everything = Counts({"ready": 39, "content_rejected": 1})
    started = await start(store, everything, Files(ready=39, rejected=1), batch.id)
    assert started.results_summary["accepted_files"] == 40
    assert started.results_summary["rejected_essays"] == 1


async def test_all_files_rejected_is_refused_with_the_reason(store):
    batch = await new_batch(store)
    with pytest.raises(Conflict) as refused:
        await start(
            store,
            Counts({"content_rejected": 2}),
            Files(ready=0, rejected=2),
            batch.id,
        )
    assert refused.value.extra["code"] == "no_essays"
    assert "all 2 files were rejected" in refused.value.detail


async def test_a_batch_whose_results_miss_an_accepted_file_is_not_completed(store):
    batch = await new_batch(store, pipeline=("spellcheck",))
    await start(store, READY, THREE, batch.id)
    await apply(store, batch.id, outcome("spellcheck", 1, [E1, E2], []))
    done = (await get(store, batch.id)).batch
    assert done.status is BatchStatus.COMPLETED_WITH_FAILURES
    assert done.results_summary["unaccounted_files"] == 1
    assert (await results(store, batch.id)).accounting == {
        "accepted_files": 3,
        "results": 2,
        "rejected_files": 0,
        "unaccounted_files": 1,
    }


async def test_outcomes_move_phase_by_phase_and_finish_the_batch(store):
    batch = await new_batch(store)
    await start(store, READY, THREE, batch.id)
    assert await apply(store, batch.id, outcome("spellcheck", 1, [E1, E2], [E3]))
    assert not await apply(store, batch.id, outcome("spellcheck", 1, [E1, E2], [E3]))
    _, _, body = store.calls[f"phase:{batch.id}:cj_assessment:1"]
    assert body["essay_ids"] == [E1, E2] and body["last_phase"] is True
    assert body["settings"] == CjSettings(judge="baseline").model_dump()
    assert await apply(store, batch.id, outcome("cj_assessment", 1, [E1, E2], []))
    view = await get(store, batch.id)
    done, phases = view.batch, view.phases
    assert done.status is BatchStatus.COMPLETED_WITH_FAILURES
    assert {(p.phase, p.status) for p in phases} == {
        ("spellcheck", PhaseState.PARTIALLY_SUCCEEDED),
        ("cj_assessment", PhaseState.SUCCEEDED),
    }
    assert done.results_summary["cj_assessment"] == {"reliability": 0.8}
    rows = (await results(store, batch.id)).essays
    assert sorted(r.essay_id for r in rows) == sorted([E1, E2, E3])
    assert next(r for r in rows if r.essay_id == E1).spelling == {"error_count": 1}


async def test_a_phase_with_no_success_fails_the_batch_and_retry_recovers_it(store):
    batch = await new_batch(store, pipeline=("spellcheck",))
    one = Counts({"ready": 1})
    await start(store, one, Files(1), batch.id)
    await apply(store, batch.id, outcome("spellcheck", 1, [], [E1]))
    failed = (await get(store, batch.id)).batch
    assert failed.status is BatchStatus.FAILED
    attempt = await retry(store, batch.id, "spellcheck")
    assert attempt.attempt == 2
    assert store.calls[f"phase:{batch.id}:spellcheck:2"][2]["last_phase"] is True
    with pytest.raises(Conflict):
        await retry(store, batch.id, "spellcheck")
    await apply(store, batch.id, outcome("spellcheck", 2, [E1], []))
    done = (await get(store, batch.id)).batch
    assert done.status is BatchStatus.COMPLETED


async def test_cancel_while_processing_tells_essay_lifecycle_and_ignores_late_outcomes(store):
    batch = await new_batch(store)
    await start(store, READY, THREE, batch.id)
    cancelled = await cancel(store, batch.id)
    assert cancelled.status is BatchStatus.CANCELLED
    assert (
        store.calls[f"cancel:{batch.id}"][1] == f"http://els/internal/v1/batches/{batch.id}/cancel"
    )
    assert not await apply(store, batch.id, outcome("spellcheck", 1, [E1], []))
    with pytest.raises(Conflict):
        await cancel(store, batch.id)
