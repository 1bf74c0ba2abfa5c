"""file_service's composition root."""

from __future__ import annotations

import httpx
from dishka import Provider, Scope, provide

from service_kit.di import HttpClientProvider, storage_provider
from services.file_service.config import Settings
from services.file_service.peers import HttpContentStore, OpenGate, OrchestratorGate
from services.file_service.protocols import BatchGate, ContentStore, FileUnitOfWork
from services.file_service.repository_memory_impl import MemoryFileStore, MemoryFileUnitOfWork
from services.file_service.repository_postgres_impl import PostgresFileUnitOfWork
from services.file_service.service import Peers


class PeersProvider(Provider):
    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def peers(self) -> Peers:
        return Peers(essay_lifecycle_url=self._settings.essay_lifecycle_url.rstrip("/"))

    @provide
    def content_store(self, client: httpx.AsyncClient) -> ContentStore:
        return HttpContentStore(client, self._settings.content_service_url)

    @provide
    def batch_gate(self, client: httpx.AsyncClient) -> BatchGate:
        if self._settings.batch_orchestrator_url:
            return OrchestratorGate(client, self._settings.batch_orchestrator_url)
        return OpenGate()


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        FileUnitOfWork,
        postgres=PostgresFileUnitOfWork,
        memory=MemoryFileUnitOfWork,
        memory_store=MemoryFileStore,
    )
    return [HttpClientProvider(settings), PeersProvider(settings), storage]
