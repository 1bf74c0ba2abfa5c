"""Fault injection for tests only: the first N spellcheck jobs a process runs for the first
time (run 1) fail with ``FAULT_REASON``, so tests can drive the retry path. The service's
own code knows nothing of it: this module's provider decorates ``RunSpellcheck``.

For a process (the end-to-end tests), with SPELL_CHECKER_FAULT_FAIL_FIRST_RUNS=3 in the
environment: ``hypercorn "services.spell_checker.tests.faults:create_app()"``.
"""

from __future__ import annotations

import uuid

from dishka import Provider, Scope, decorate, provide
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from quart import Quart

from service_kit.errors import NotFound
from service_kit.settings import Profile
from services.spell_checker import app
from services.spell_checker.config import Settings
from services.spell_checker.domain import SpellcheckJob
from services.spell_checker.use_cases import (
    GetJob,
    GetJobCommand,
    GiveUpSpellcheck,
    GiveUpSpellcheckCommand,
    RunSpellcheck,
    RunSpellcheckCommand,
)

FAULT_REASON = "fault injected by configuration"


class Faults:
    """Which first runs fail: the first ``fail_first_runs`` this process meets."""

    def __init__(self, fail_first_runs: int = 0) -> None:
        self._left = fail_first_runs
        self._failed: set[uuid.UUID] = set()

    def fails(self, job: SpellcheckJob) -> bool:
        if job.run != 1:
            return False
        if job.id in self._failed:
            return True  # the same run picked up again after a crash fails the same way
        if self._left <= 0:
            return False
        self._left -= 1
        self._failed.add(job.id)
        return True


class FaultyRunSpellcheck(RunSpellcheck):
    """RunSpellcheck, except that a run ``faults`` picks is given up with FAULT_REASON (the
    failure is recorded and called back as any other)."""

    def __init__(
        self, run: RunSpellcheck, get: GetJob, give_up: GiveUpSpellcheck, faults: Faults
    ) -> None:
        self._run, self._get, self._give_up, self._faults = run, get, give_up, faults

    async def execute(self, command: RunSpellcheckCommand) -> None:
        try:
            job = await self._get.execute(GetJobCommand(command.job_id))
        except NotFound:
            job = None
        current = job is not None and job.run == command.run and not job.status.finished
        if job is not None and current and self._faults.fails(job):
            await self._give_up.execute(
                GiveUpSpellcheckCommand(command.job_id, command.run, FAULT_REASON)
            )
            return
        await self._run.execute(command)


class FaultsProvider(Provider):
    def __init__(self, fail_first_runs: int) -> None:
        super().__init__()
        self._fail_first_runs = fail_first_runs

    @provide(scope=Scope.APP)
    def faults(self) -> Faults:
        return Faults(self._fail_first_runs)

    @decorate(scope=Scope.REQUEST)
    def faulty_runs(
        self, run: RunSpellcheck, get: GetJob, give_up: GiveUpSpellcheck, faults: Faults
    ) -> RunSpellcheck:
        return FaultyRunSpellcheck(run, get, give_up, faults)


class FaultSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPELL_CHECKER_", extra="ignore")

    fault_fail_first_runs: int = Field(default=0, ge=0)


def create_app(settings: Settings | None = None, *, fail_first_runs: int | None = None) -> Quart:
    """spell_checker with faults: ``fail_first_runs``, else SPELL_CHECKER_FAULT_FAIL_FIRST_RUNS.
    Refuses the production profile."""
    settings = settings or Settings()
    if fail_first_runs is None:
        fail_first_runs = FaultSettings().fault_fail_first_runs
    if settings.profile is Profile.PRODUCTION:
        raise ValueError("refusing the production profile: this app injects faults")
    return app.create_app(settings, extra_providers=[FaultsProvider(fail_first_runs)])
