"""file_service's composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.http_client import make_http_client
from service_kit.settings import RepositoryKind
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
    async def http_client(self) -> AsyncIterator[httpx.AsyncClient]:
        client = make_http_client(
            timeout_seconds=self._settings.http_timeout_seconds, token=self._settings.token
        )
        yield client
        await client.aclose()

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


class PostgresStorageProvider(Provider):
    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, session: AsyncSession) -> FileUnitOfWork:
        return PostgresFileUnitOfWork(session)


class MemoryStorageProvider(Provider):
    """Unit tests only: nothing runs the jobs it records."""

    @provide(scope=Scope.APP)
    def store(self) -> MemoryFileStore:
        return MemoryFileStore()

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, store: MemoryFileStore) -> FileUnitOfWork:
        return MemoryFileUnitOfWork(store)


def providers(settings: Settings) -> list[Provider]:
    storage: Provider = (
        MemoryStorageProvider()
        if settings.repository is RepositoryKind.MEMORY
        else PostgresStorageProvider()
    )
    return [PeersProvider(settings), storage]
