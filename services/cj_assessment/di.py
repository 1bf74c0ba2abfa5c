"""cj_assessment's composition root."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from dishka import AsyncContainer, Provider, Scope, provide

from service_kit.clock import Clock
from service_kit.di import HttpClientProvider, storage_provider
from services.cj_assessment.config import Settings
from services.cj_assessment.judges import Judges, LlmJudge, LlmSettings
from services.cj_assessment.peers import HttpContentFetcher
from services.cj_assessment.protocols import AssessmentUnitOfWork, ContentFetcher, UnitsOfWork
from services.cj_assessment.repository_memory_impl import (
    MemoryAssessmentStore,
    MemoryAssessmentUnitOfWork,
)
from services.cj_assessment.repository_postgres_impl import PostgresAssessmentUnitOfWork
from services.cj_assessment.runs.refits import Refits, refit
from services.cj_assessment.use_cases import (
    AssessmentLimits,
    CreateAssessment,
    ExcludeJudge,
    ExportRankingCsv,
    GetAssessment,
    GiveUpAssessment,
    HandOutPair,
    IncludeJudge,
    ListAssessments,
    ListRanking,
    PairLease,
    RecordJudgement,
    RunAssessment,
    RunLimits,
)


class SettingsProvider(Provider):
    """The settings, and the typed pieces of them the use cases take."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def assessment_limits(self) -> AssessmentLimits:
        s = self._settings
        return AssessmentLimits(max_essays=s.max_essays, max_essay_chars=s.max_essay_chars)

    @provide
    def pair_lease(self) -> PairLease:
        return PairLease(seconds=self._settings.pair_lease_seconds)

    @provide
    def run_limits(self) -> RunLimits:
        return RunLimits(
            max_failed_comparisons=self._settings.max_failed_comparisons,
            fetch_concurrency=self._settings.content_fetch_concurrency,
        )


class PeersProvider(Provider):
    """content_service, and the automated judges (the LLM one None when no endpoint is
    configured)."""

    scope = Scope.APP

    @provide
    def content_fetcher(self, client: httpx.AsyncClient, s: Settings) -> ContentFetcher:
        return HttpContentFetcher(client, s.content_service_url)

    @provide
    async def judges(self, s: Settings) -> AsyncIterator[Judges]:
        """The LLM judge gets a client of its own: the platform's client would send the
        internal bearer token to an outside API."""
        if not s.llm_base_url:
            yield Judges(llm=None)
            return
        timeout = httpx.Timeout(s.llm_timeout_seconds, connect=min(10.0, s.llm_timeout_seconds))
        async with httpx.AsyncClient(timeout=timeout) as client:
            yield Judges(
                llm=LlmJudge(
                    client,
                    LlmSettings(
                        base_url=s.llm_base_url,
                        model=s.llm_model,
                        api_key=s.llm_api_key.get_secret_value() if s.llm_api_key else None,
                        timeout_seconds=s.llm_timeout_seconds,
                        max_attempts=s.llm_max_attempts,
                        backoff_base_seconds=s.llm_backoff_base_seconds,
                        backoff_max_seconds=s.llm_backoff_max_seconds,
                        concurrency=s.llm_concurrency,
                        temperature=s.llm_temperature,
                    ),
                )
            )


class RefitsProvider(Provider):
    """The refits shared between concurrent verdicts: one per process, each fit in a unit of
    work of its own (it outlives the request that asked for it)."""

    scope = Scope.APP

    @provide
    def units(self, container: AsyncContainer) -> UnitsOfWork:
        @asynccontextmanager
        async def open_uow() -> AsyncIterator[AssessmentUnitOfWork]:
            async with container() as request:
                yield await request.get(AssessmentUnitOfWork)

        return open_uow

    @provide
    def refits(self, units: UnitsOfWork, clock: Clock) -> Refits:
        return Refits(units, functools.partial(refit, clock=clock))


class UseCasesProvider(Provider):
    """One use case per operation, per request (or per job run): dishka builds each from its
    constructor's types."""

    scope = Scope.REQUEST

    create_assessment = provide(CreateAssessment)
    get_assessment = provide(GetAssessment)
    list_assessments = provide(ListAssessments)
    list_ranking = provide(ListRanking)
    export_ranking_csv = provide(ExportRankingCsv)
    hand_out_pair = provide(HandOutPair)
    record_judgement = provide(RecordJudgement)
    run_assessment = provide(RunAssessment)
    give_up_assessment = provide(GiveUpAssessment)
    exclude_judge = provide(ExcludeJudge)
    include_judge = provide(IncludeJudge)


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        AssessmentUnitOfWork,
        postgres=PostgresAssessmentUnitOfWork,
        memory=MemoryAssessmentUnitOfWork,
        memory_store=MemoryAssessmentStore,
    )
    return [
        HttpClientProvider(settings),
        SettingsProvider(settings),
        PeersProvider(),
        RefitsProvider(),
        UseCasesProvider(),
        storage,
    ]
