"""batch_orchestrator's composition root: the peers, the storage, and a use case per
request (dishka builds each from its constructor's types)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from dishka import AsyncContainer, Provider, Scope, provide

from service_kit.di import HttpClientProvider, storage_provider
from services.batch_orchestrator.config import Peers, Settings
from services.batch_orchestrator.peers import HttpEssayCounts, HttpFileIntake
from services.batch_orchestrator.protocols import (
    EssayCounts,
    FileIntake,
    OrchestratorUnitOfWork,
    UnitsOfWork,
)
from services.batch_orchestrator.repository_memory_impl import (
    MemoryOrchestratorStore,
    MemoryOrchestratorUnitOfWork,
)
from services.batch_orchestrator.repository_postgres_impl import PostgresOrchestratorUnitOfWork
from services.batch_orchestrator.use_cases import (
    ApplyPhaseOutcome,
    CancelBatch,
    CreateBatch,
    ExportResultsCsv,
    GetBatch,
    GetBatchGate,
    GetBatchHistory,
    GetResults,
    ListBatches,
    ListResults,
    RetryPhase,
    StartPipeline,
)


class PeersProvider(Provider):
    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def peers(self) -> Peers:
        return Peers.of(self._settings)

    @provide
    def essay_counts(self, client: httpx.AsyncClient) -> EssayCounts:
        return HttpEssayCounts(
            client,
            self._settings.essay_lifecycle_url,
            self._settings.essay_counts_timeout_seconds,
            self._settings.peer_retry(),
        )

    @provide
    def file_intake(self, client: httpx.AsyncClient) -> FileIntake:
        return HttpFileIntake(
            client,
            self._settings.file_service_url,
            self._settings.file_intake_timeout_seconds,
            self._settings.peer_retry(),
        )


class UseCasesProvider(Provider):
    scope = Scope.REQUEST

    create_batch = provide(CreateBatch)
    get_batch = provide(GetBatch)
    list_batches = provide(ListBatches)
    batch_history = provide(GetBatchHistory)
    batch_gate = provide(GetBatchGate)
    cancel_batch = provide(CancelBatch)
    start_pipeline = provide(StartPipeline)
    retry_phase = provide(RetryPhase)
    apply_phase_outcome = provide(ApplyPhaseOutcome)
    results = provide(GetResults)
    results_page = provide(ListResults)
    results_csv = provide(ExportResultsCsv)


class UnitsOfWorkProvider(Provider):
    """Units of work for what outlives its request (a CSV streamed page by page): each one
    in a request scope of its own."""

    scope = Scope.APP

    @provide
    def units(self, container: AsyncContainer) -> UnitsOfWork:
        @asynccontextmanager
        async def open_uow() -> AsyncIterator[OrchestratorUnitOfWork]:
            async with container() as request:
                yield await request.get(OrchestratorUnitOfWork)

        return open_uow


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        OrchestratorUnitOfWork,
        postgres=PostgresOrchestratorUnitOfWork,
        memory=MemoryOrchestratorUnitOfWork,
        memory_store=MemoryOrchestratorStore,
    )
    return [
        HttpClientProvider(settings),
        PeersProvider(settings),
        storage,
        UnitsOfWorkProvider(),
        UseCasesProvider(),
    ]
