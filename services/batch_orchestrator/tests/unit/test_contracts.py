"""One contract test per message batch_orchestrator produces: the payload its code builds
validates with the model its consumer reads it with (libs/contracts)."""

import uuid

import pytest

from contracts.batches import BatchIn as Registration
from contracts.batches import CjSettings, PhaseCommandIn, SpellcheckSettings
from contracts.files import BatchGateOut
from contracts.outcomes import EssayOutcome
from service_kit.clock import SettableClock
from services.batch_orchestrator.app import create_app
from services.batch_orchestrator.config import Peers, Settings
from services.batch_orchestrator.domain import Outcome
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
    RetryPhase,
    RetryPhaseCommand,
    StartPipeline,
    StartPipelineCommand,
)

PEERS = Peers("http://bos", "http://els")
CLOCK = SettableClock(T0)
CJ = CjSettings(
    judge="llm",
    grade_scale=["A", "B", "C"],
    anchors=[{"grade": "B", "text": "An essay of grade B."}],
    instructions="Judge the argument.",
)


@pytest.fixture
def store() -> MemoryOrchestratorStore:
    return MemoryOrchestratorStore()


async def created(store, language="auto"):
    view = await CreateBatch(MemoryOrchestratorUnitOfWork(store), PEERS, CLOCK).execute(
        CreateBatchCommand(
            owner="teacher-1",
            name="7B",
            language=language,
            pipeline="full",
            expected_essay_count=None,
            spellcheck=SpellcheckSettings(ignore=["Hogwarts"]),
            cj=CJ,
        )
    )
    return view.batch


async def started(store):
    batch = await created(store)
    await StartPipeline(
        MemoryOrchestratorUnitOfWork(store), Counts({"ready": 2}), Files(2), PEERS, CLOCK
    ).execute(StartPipelineCommand(batch.id, None))
    return batch


async def test_the_registration_is_essay_lifecycles_batch_in(store):
    batch = await created(store)
    method, url, body = store.calls[f"register:{batch.id}"]
    assert (method, url) == ("POST", "http://els/internal/v1/batches")
    registration = Registration.model_validate(body)
    assert registration.model_dump(mode="json") == body
    assert (registration.batch_id, registration.language) == (batch.id, "auto")


async def test_every_phase_command_is_essay_lifecycles_phase_command_in(store):
    batch = await started(store)
    ok, failed = str(uuid.uuid4()), str(uuid.uuid4())
    spelled = Outcome(
        "spellcheck",
        1,
        [ok],
        [failed],
        {ok: EssayOutcome(status="spellcheck_succeeded"), failed: EssayOutcome()},
        {},
    )
    await ApplyPhaseOutcome(MemoryOrchestratorUnitOfWork(store), PEERS, CLOCK).execute(
        ApplyPhaseOutcomeCommand(batch.id, spelled)
    )
    first = PhaseCommandIn.model_validate(store.calls[f"phase:{batch.id}:spellcheck:1"][2])
    assert (first.attempt, first.essay_ids, first.last_phase) == (1, None, False)
    assert SpellcheckSettings.model_validate(first.settings) == SpellcheckSettings(
        ignore=["Hogwarts"]
    )
    following = store.calls[f"phase:{batch.id}:cj_assessment:1"][2]
    command = PhaseCommandIn.model_validate(following)
    assert command.essay_ids == [uuid.UUID(ok)] and command.last_phase is True
    assert following["essay_ids"] == [ok]  # as essay_lifecycle wrote it
    # essay_lifecycle spreads the settings into cj_assessment's request: they are CjSettings
    assert CjSettings.model_validate(command.settings) == CJ


async def test_a_retrys_phase_command_is_a_phase_command_in(store):
    batch = await created(store)
    await StartPipeline(
        MemoryOrchestratorUnitOfWork(store), Counts({"ready": 1}), Files(1), PEERS, CLOCK
    ).execute(StartPipelineCommand(batch.id, None))
    failed = str(uuid.uuid4())
    await ApplyPhaseOutcome(MemoryOrchestratorUnitOfWork(store), PEERS, CLOCK).execute(
        ApplyPhaseOutcomeCommand(
            batch.id,
            Outcome(
                "spellcheck",
                1,
                [],
                [failed],
                {failed: EssayOutcome(status="spellcheck_failed")},
                {},
            ),
        )
    )
    await RetryPhase(MemoryOrchestratorUnitOfWork(store), PEERS, CLOCK).execute(
        RetryPhaseCommand(batch.id, "spellcheck", None)
    )
    retry = PhaseCommandIn.model_validate(store.calls[f"phase:{batch.id}:spellcheck:2"][2])
    assert (retry.attempt, retry.essay_ids) == (2, None)


async def test_the_cancel_has_no_body(store):
    batch = await started(store)
    await CancelBatch(MemoryOrchestratorUnitOfWork(store), PEERS, CLOCK).execute(
        CancelBatchCommand(batch.id, None)
    )
    assert store.calls[f"cancel:{batch.id}"] == (
        "POST",
        f"http://els/internal/v1/batches/{batch.id}/cancel",
        None,
    )


async def test_the_gate_answer_is_file_services_batch_gate_out():
    app = create_app(Settings(repository="memory", essay_lifecycle_url="http://127.0.0.1:9"))
    async with app.test_app():
        client = app.test_client()
        made = await client.post(
            "/v1/batches", headers={"X-User-ID": "t"}, json={"name": "x", "language": "en"}
        )
        batch_id = (await made.get_json())["batch_id"]
        answer = await client.get(f"/internal/v1/batches/{batch_id}")
        body = await answer.get_json()
    assert answer.status_code == 200
    assert BatchGateOut.model_validate(body) == BatchGateOut(
        batch_id=batch_id, status="awaiting_content", pipeline_started=False
    )
