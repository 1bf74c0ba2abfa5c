"""The use cases that were tested only through routes: creating a batch (its settings),
reading one, a page, its history and file_service's gate, in memory."""

from datetime import timedelta

import pytest

from contracts.batches import Anchor, CjSettings, SpellcheckSettings
from service_kit.clock import SettableClock
from service_kit.errors import InvalidInput, NotFound
from services.batch_orchestrator.config import Peers
from services.batch_orchestrator.domain import BatchStatus, PhaseState
from services.batch_orchestrator.repository_memory_impl import (
    MemoryOrchestratorStore,
    MemoryOrchestratorUnitOfWork,
)
from services.batch_orchestrator.tests.unit.fakes import T0, Counts
from services.batch_orchestrator.use_cases import (
    CancelBatch,
    CancelBatchCommand,
    CreateBatch,
    CreateBatchCommand,
    GetBatch,
    GetBatchCommand,
    GetBatchGate,
    GetBatchGateCommand,
    GetBatchHistory,
    GetBatchHistoryCommand,
    ListBatches,
    ListBatchesCommand,
)

PEERS = Peers("http://bos", "http://els")


@pytest.fixture
def store() -> MemoryOrchestratorStore:
    return MemoryOrchestratorStore()


def uow(store):
    return MemoryOrchestratorUnitOfWork(store)


def create(store, owner="teacher-1", name="7B", pipeline="full", cj=None, clock=None):
    return CreateBatch(uow(store), PEERS, clock or SettableClock(T0)).execute(
        CreateBatchCommand(
            owner=owner,
            name=name,
            language="en",
            pipeline=pipeline,
            expected_essay_count=None,
            spellcheck=SpellcheckSettings(ignore=["Hogwarts"]),
            cj=cj,
        )
    )


async def test_a_new_batch_has_attempt_one_of_each_resolved_phase_pending(store):
    view = await create(store, pipeline=["cj_assessment"])
    assert view.batch.pipeline == ("spellcheck", "cj_assessment")
    assert [(a.phase, a.attempt, a.status) for a in view.phases] == [
        ("spellcheck", 1, PhaseState.PENDING),
        ("cj_assessment", 1, PhaseState.PENDING),
    ]
    assert view.essays is None and view.degraded is False
    assert store.batches[view.batch.id] == view.batch


async def test_settings_take_the_cj_defaults_when_the_pipeline_has_cj_and_none_are_given(store):
    view = await create(store)
    assert view.batch.settings == {
        "spellcheck": {"ignore": ["Hogwarts"]},
        "cj_assessment": {
            "judge": "baseline",
            "max_comparisons_per_essay": 20,
            "min_comparisons_per_essay": 5,
            "target_reliability": 0.8,
            "anchors": [],
            "grade_scale": None,
            "instructions": None,
        },
    }
    only_spelling = await create(store, pipeline="spellcheck")
    assert only_spelling.batch.settings == {"spellcheck": {"ignore": ["Hogwarts"]}}
    given = await create(store, cj=CjSettings(judge="llm", grade_scale=["A", "B"]))
    assert given.batch.settings["cj_assessment"] == {
        **CjSettings().model_dump(),
        "judge": "llm",
        "grade_scale": ["A", "B"],
    }


async def test_cj_settings_for_a_pipeline_without_cj_are_refused_and_nothing_is_stored(store):
    with pytest.raises(InvalidInput, match="no cj_assessment"):
        await create(store, pipeline="spellcheck", cj=CjSettings(judge="llm"))
    with pytest.raises(InvalidInput, match="known phases"):
        await create(store, pipeline=["grading"])
    assert store.batches == {} and store.calls == {}


async def test_get_batch_adds_essay_lifecycle_summary_or_says_degraded(store):
    batch = (await create(store)).batch
    view = await GetBatch(uow(store), Counts({"ready": 2})).execute(GetBatchCommand(batch.id, None))
    assert view.batch == batch and view.degraded is False
    assert view.essays is not None and view.essays.shown == {
        "batch_id": batch.id,
        "total": 2,
        "by_status": {"ready": 2},
    }
    assert [a.phase for a in view.phases] == ["cj_assessment", "spellcheck"]
    down = await GetBatch(uow(store), Counts(None)).execute(GetBatchCommand(batch.id, "teacher-1"))
    assert down.essays is None and down.degraded is True


async def test_another_teachers_batch_does_not_exist_and_essay_lifecycle_is_not_asked(store):
    batch = (await create(store)).batch
    counts = Counts({})
    with pytest.raises(NotFound):
        await GetBatch(uow(store), counts).execute(GetBatchCommand(batch.id, "teacher-2"))
    with pytest.raises(NotFound):
        await GetBatchHistory(uow(store)).execute(GetBatchHistoryCommand(batch.id, "teacher-2"))
    with pytest.raises(NotFound):
        await GetBatchGate(uow(store)).execute(GetBatchGateCommand("no-such-batch"))
    assert counts.asked == []


async def test_a_teacher_pages_through_only_their_own_batches(store):
    clock = SettableClock(T0)
    for i in range(3):
        await create(store, owner="lister", name=f"b{i}", clock=clock)
        clock.advance(seconds=1)
    await create(store, owner="someone-else", name="theirs", clock=clock)
    list_batches = ListBatches(uow(store))
    first = await list_batches.execute(ListBatchesCommand("lister", "someone-else", None, 2, None))
    assert [b.name for b in first.batches] == ["b0", "b1"] and first.next_cursor
    rest = await list_batches.execute(
        ListBatchesCommand("lister", None, None, 2, first.next_cursor)
    )
    assert [b.name for b in rest.batches] == ["b2"] and rest.next_cursor is None
    # a service-to-service call (no user) may filter by owner and by status
    theirs = await list_batches.execute(
        ListBatchesCommand(None, "someone-else", BatchStatus.AWAITING_CONTENT, None, None)
    )
    assert [b.name for b in theirs.batches] == ["theirs"]
    with pytest.raises(InvalidInput):
        await list_batches.execute(ListBatchesCommand(None, None, None, 0, None))
    with pytest.raises(InvalidInput):
        await list_batches.execute(ListBatchesCommand(None, None, None, 2, "not-a-cursor"))


async def test_history_and_gate_follow_the_batch(store):
    batch = (await create(store, pipeline="spellcheck")).batch
    gate = GetBatchGate(uow(store))
    assert (await gate.execute(GetBatchGateCommand(batch.id))).pipeline_started is False
    later = SettableClock(T0 + timedelta(minutes=5))
    await CancelBatch(uow(store), PEERS, later).execute(CancelBatchCommand(batch.id, "teacher-1"))
    # cancelled before it started: essay_lifecycle had nothing to stop
    assert f"cancel:{batch.id}" not in store.calls
    assert (await gate.execute(GetBatchGateCommand(batch.id))).pipeline_started is True
    changes = await GetBatchHistory(uow(store)).execute(GetBatchHistoryCommand(batch.id, None))
    assert [(c.phase, c.from_status, c.to_status) for c in changes] == [
        (None, None, "awaiting_content"),
        (None, "awaiting_content", "cancelled"),
        ("spellcheck", "pending", "cancelled"),
    ]
    assert changes[0].details == {"pipeline": ["spellcheck"]}
    # every time is the clock's
    assert [c.at for c in changes] == [T0, later.now(), later.now()]
    cancelled = store.batches[batch.id]
    assert (cancelled.created_at, cancelled.updated_at) == (T0, later.now())
    assert store.phases[(batch.id, "spellcheck", 1)].finished_at == later.now()


@pytest.mark.parametrize(
    ("cj", "field", "words"),
    [
        (
            CjSettings(min_comparisons_per_essay=30, max_comparisons_per_essay=20),
            "min_comparisons_per_essay",
            "must not exceed max_comparisons_per_essay",
        ),
        (CjSettings(grade_scale=["A", "B", "A"]), "grade_scale", "lists a grade twice: A"),
        (
            CjSettings(grade_scale=["A", "B"], anchors=[Anchor(grade="C", text="An essay.")]),
            "anchors",
            "anchor 1's grade 'C' is not in grade_scale",
        ),
    ],
)
async def test_cj_settings_cj_assessment_would_refuse_are_refused_naming_the_field(
    store, cj, field, words
):
    with pytest.raises(InvalidInput, match=words) as refused:
        await create(store, cj=cj)
    assert refused.value.extra["errors"] == [
        {"loc": ["cj", field], "msg": refused.value.detail, "type": "value_error"}
    ]
    assert store.batches == {} and store.calls == {}
