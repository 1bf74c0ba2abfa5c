import uuid
from dataclasses import dataclass

import pytest
from dishka import Provider, Scope, make_async_container, provide

from service_kit.messaging.job_handler import job_handler
from service_kit.messaging.jobs import Job


class Journal:
    """An app-scoped record of what the use cases did, and of the units of work opened."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, bool]] = []
        self.gave_up: list[tuple[str, str]] = []
        self.units: list[object] = []
        self.fail_with: Exception | None = None


class UnitOfWork:
    def __init__(self, journal: Journal) -> None:
        journal.units.append(self)


@dataclass(frozen=True, slots=True)
class CheckCommand:
    essay: str
    last_attempt: bool


@dataclass(frozen=True, slots=True)
class GiveUpCommand:
    essay: str
    reason: str


class Check:
    def __init__(self, uow: UnitOfWork, journal: Journal) -> None:
        self.uow, self.journal = uow, journal

    async def execute(self, command: CheckCommand) -> None:
        if self.journal.fail_with is not None:
            raise self.journal.fail_with
        self.journal.ran.append((command.essay, command.last_attempt))


class GiveUp:
    def __init__(self, uow: UnitOfWork, journal: Journal) -> None:
        self.uow, self.journal = uow, journal

    async def execute(self, command: GiveUpCommand) -> None:
        self.journal.gave_up.append((command.essay, command.reason))


class Providers(Provider):
    journal = provide(Journal, scope=Scope.APP)
    uow = provide(UnitOfWork, scope=Scope.REQUEST)
    check = provide(Check, scope=Scope.REQUEST)
    give_up = provide(GiveUp, scope=Scope.REQUEST)


handler = job_handler(
    run=Check,
    command=lambda job: CheckCommand(job.payload["essay"], job.last_attempt),
    give_up=GiveUp,
    give_up_command=lambda job, reason: GiveUpCommand(job.payload["essay"], reason),
    crashed="the check kept crashing",
    failed=lambda exc: f"checking failed: {exc}",
)


def job(attempts: int, max_attempts: int = 3) -> Job:
    return Job(uuid.uuid4(), "check", {"essay": "e1"}, attempts, max_attempts, None)


@pytest.fixture
async def container():
    built = make_async_container(Providers())
    yield built
    await built.close()


async def test_runs_the_use_case_resolved_in_a_request_scope(container):
    await handler(job(1), container)
    journal = await container.get(Journal)
    assert journal.ran == [("e1", False)]
    assert journal.gave_up == []
    assert len(journal.units) == 1


async def test_the_command_sees_the_last_attempt(container):
    await handler(job(3), container)
    assert (await container.get(Journal)).ran == [("e1", True)]


async def test_an_error_before_the_last_attempt_propagates_for_a_retry(container):
    journal = await container.get(Journal)
    journal.fail_with = RuntimeError("flaky")
    with pytest.raises(RuntimeError):
        await handler(job(2), container)
    assert journal.gave_up == []


async def test_an_error_on_the_last_attempt_gives_up_in_a_fresh_scope(container):
    journal = await container.get(Journal)
    journal.fail_with = RuntimeError("broken")
    await handler(job(3), container)
    assert journal.gave_up == [("e1", "checking failed: broken")]
    assert len(journal.units) == 2  # the give-up did not reuse the failed unit of work


async def test_an_exhausted_job_gives_up_without_running(container):
    await handler(job(4), container)
    journal = await container.get(Journal)
    assert journal.ran == []
    assert journal.gave_up == [("e1", "the check kept crashing")]


async def test_the_default_reason_names_the_error(container):
    plain = job_handler(
        run=Check,
        command=lambda job: CheckCommand(job.payload["essay"], job.last_attempt),
        give_up=GiveUp,
        give_up_command=lambda job, reason: GiveUpCommand(job.payload["essay"], reason),
    )
    journal = await container.get(Journal)
    journal.fail_with = ValueError("bad text")
    await plain(job(3), container)
    await plain(job(4), container)
    assert journal.gave_up == [
        ("e1", "ValueError: bad text"),
        ("e1", "gave up: the job kept crashing its workers"),
    ]
