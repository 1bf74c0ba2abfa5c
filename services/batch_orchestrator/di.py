"""batch_orchestrator's composition root."""

from __future__ import annotations

import httpx
from dishka import Provider, Scope, provide

from service_kit.di import HttpClientProvider, storage_provider
from services.batch_orchestrator.config import Settings
from services.batch_orchestrator.peers import HttpEssayCounts, HttpFileIntake
from services.batch_orchestrator.protocols import EssayCounts, FileIntake, OrchestratorUnitOfWork
from services.batch_orchestrator.repository_memory_impl import (
    MemoryOrchestratorStore,
    MemoryOrchestratorUnitOfWork,
)
from services.batch_orchestrator.repository_postgres_impl import PostgresOrchestratorUnitOfWork
from services.batch_orchestrator.service import Peers


class PeersProvider(Provider):
    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def peers(self) -> Peers:
        return Peers(
            self_url=self._settings.public_url.rstrip("/"),
            essay_lifecycle_url=self._settings.essay_lifecycle_url.rstrip("/"),
        )

    @provide
    def essay_counts(self, client: httpx.AsyncClient) -> EssayCounts:
        return HttpEssayCounts(
            client,
            self._settings.essay_lifecycle_url,
            self._settings.essay_counts_timeout_seconds,
        )

    @provide
    def file_intake(self, client: httpx.AsyncClient) -> FileIntake:
        return HttpFileIntake(
            client,
            self._settings.file_service_url,
            self._settings.file_intake_timeout_seconds,
        )


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        OrchestratorUnitOfWork,
        postgres=PostgresOrchestratorUnitOfWork,
        memory=MemoryOrchestratorUnitOfWork,
        memory_store=MemoryOrchestratorStore,
    )
    return [HttpClientProvider(settings), PeersProvider(settings), storage]
