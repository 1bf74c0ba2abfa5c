"""The ``spellcheck`` job entry point through the service's own container (in memory, with
content_service faked): it runs the use case, gives a run up on its last attempt or when its
workers kept dying, and the test provider's faults reach it."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide

from service_kit.clock import SettableClock
from service_kit.di import clock_provider
from service_kit.messaging.jobs import Job
from services.spell_checker.config import Settings
from services.spell_checker.di import providers
from services.spell_checker.domain import SPELLCHECK, JobRequest, SpellcheckJob, SpellcheckStatus
from services.spell_checker.jobs import run_spellcheck
from services.spell_checker.protocols import ContentStore
from services.spell_checker.repository_memory_impl import MemorySpellcheckStore
from services.spell_checker.tests import faults
from services.spell_checker.tests.faults import FAULT_REASON, FaultSettings, FaultsProvider
from services.spell_checker.tests.unit.fakes import FakeContent
from services.spell_checker.use_cases import (
    RequestSpellcheck,
    RequestSpellcheckCommand,
    RunSpellcheck,
)

ESSAY = "Students often recieve feedback."
CONTENT_ID = hashlib.sha256(ESSAY.encode()).hexdigest()


class FakeContentProvider(Provider):
    def __init__(self, content: FakeContent) -> None:
        super().__init__()
        self._content = content

    @provide(scope=Scope.APP)
    def content_store(self) -> ContentStore:
        return self._content


def container(content: FakeContent, *extra: Provider) -> AsyncContainer:
    settings = Settings(repository="memory", log_level="WARNING")
    return make_async_container(
        *providers(settings),
        FakeContentProvider(content),
        clock_provider(SettableClock()),  # create_service_app adds the system clock
        *extra,
    )


async def ask(container: AsyncContainer, attempt: int = 1) -> SpellcheckJob:
    essay = "essay-1"
    request = JobRequest(
        essay_id=essay,
        batch_id="b1",
        content_id=CONTENT_ID,
        language="en",
        callback_url=f"http://els.test/internal/v1/essays/{essay}/spellcheck-result?a={attempt}",
    )
    async with container() as scope:
        ask_for = await scope.get(RequestSpellcheck)
        return await ask_for.execute(RequestSpellcheckCommand(request))


def queued(job: SpellcheckJob, *, attempts: int = 1, max_attempts: int = 5) -> Job:
    payload = {"job_id": str(job.id), "run": job.run}
    return Job(uuid.uuid4(), SPELLCHECK, payload, attempts, max_attempts, None)


async def stored(container: AsyncContainer) -> MemorySpellcheckStore:
    return await container.get(MemorySpellcheckStore)


async def test_the_job_runs_the_use_case_and_reports_once():
    content = FakeContent({CONTENT_ID: ESSAY})
    app = container(content)
    job = await ask(app)
    await run_spellcheck(queued(job), app)
    store = await stored(app)
    assert store.jobs[job.id].status is SpellcheckStatus.SUCCEEDED
    assert store.jobs[job.id].corrections_count == 1
    ((_, url, body),) = store.calls.values()
    assert url == job.callback_url and body["status"] == "succeeded"
    await app.close()


async def test_an_error_is_retried_and_on_the_last_attempt_told_as_a_failure():
    content = FakeContent({CONTENT_ID: ESSAY})
    content.fail_store = RuntimeError("disk on fire")
    app = container(content)
    job = await ask(app)
    with pytest.raises(RuntimeError):
        await run_spellcheck(queued(job, attempts=4), app)
    store = await stored(app)
    assert store.jobs[job.id].status is SpellcheckStatus.RUNNING and store.calls == {}
    await run_spellcheck(queued(job, attempts=5), app)
    failed = store.jobs[job.id]
    assert failed.status is SpellcheckStatus.FAILED
    assert failed.reason == "checking failed: RuntimeError: disk on fire"
    ((_, _, body),) = store.calls.values()
    assert body == {"status": "failed", "job_id": str(job.id), "reason": failed.reason}
    await app.close()


async def test_a_run_whose_workers_kept_dying_is_given_up_without_checking():
    content = FakeContent({CONTENT_ID: ESSAY})
    app = container(content)
    job = await ask(app)
    await run_spellcheck(queued(job, attempts=6), app)
    store = await stored(app)
    assert store.jobs[job.id].reason == "gave up: the check kept crashing its workers"
    assert content.fetches == 0 and len(store.calls) == 1
    await app.close()


async def test_the_service_alone_injects_no_faults_and_the_test_provider_does():
    plain = container(FakeContent({CONTENT_ID: ESSAY}))
    async with plain() as scope:
        assert type(await scope.get(RunSpellcheck)) is RunSpellcheck
    await plain.close()

    content = FakeContent({CONTENT_ID: ESSAY})
    app = container(content, FaultsProvider(1))
    job = await ask(app)
    await run_spellcheck(queued(job), app)
    store = await stored(app)
    assert (store.jobs[job.id].status, store.jobs[job.id].reason) == (
        SpellcheckStatus.FAILED,
        FAULT_REASON,
    )
    assert content.fetches == 0
    rerun = await ask(app, attempt=2)
    assert rerun.run == 2
    await run_spellcheck(queued(rerun), app)
    assert store.jobs[job.id].status is SpellcheckStatus.SUCCEEDED
    assert len(store.calls) == 2
    await app.close()


def test_the_test_app_reads_its_faults_from_the_environment_and_refuses_production(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("SPELL_CHECKER_FAULT_FAIL_FIRST_RUNS", "3")
    assert FaultSettings().fault_fail_first_runs == 3
    production = Settings(
        profile="production",
        internal_api_token="t" * 32,
        database_url="postgresql+asyncpg://db.internal/spell_checker",
    )
    with pytest.raises(ValueError, match="refusing the production profile"):
        faults.create_app(production)
    # the service's own settings know nothing of faults
    assert "fault_fail_first_runs" not in Settings.model_fields
