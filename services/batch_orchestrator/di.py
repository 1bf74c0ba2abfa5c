"""batch_orchestrator's composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.http_client import make_http_client
from service_kit.settings import RepositoryKind
from services.batch_orchestrator.config import Settings
from services.batch_orchestrator.peers import HttpEssayCounts
from services.batch_orchestrator.protocols import EssayCounts, OrchestratorUnitOfWork
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
    async def http_client(self) -> AsyncIterator[httpx.AsyncClient]:
        client = make_http_client(
            timeout_seconds=self._settings.http_timeout_seconds, token=self._settings.token
        )
        yield client
        await client.aclose()

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


class PostgresStorageProvider(Provider):
    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, session: AsyncSession) -> OrchestratorUnitOfWork:
        return PostgresOrchestratorUnitOfWork(session)


class MemoryStorageProvider(Provider):
    """Unit tests only: the outbox calls it records are never sent."""

    @provide(scope=Scope.APP)
    def store(self) -> MemoryOrchestratorStore:
        return MemoryOrchestratorStore()

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, store: MemoryOrchestratorStore) -> OrchestratorUnitOfWork:
        return MemoryOrchestratorUnitOfWork(store)


def providers(settings: Settings) -> list[Provider]:
    storage: Provider = (
        MemoryStorageProvider()
        if settings.repository is RepositoryKind.MEMORY
        else PostgresStorageProvider()
    )
    return [PeersProvider(settings), storage]
