"""essay_lifecycle's composition root."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.settings import RepositoryKind
from services.essay_lifecycle.config import Settings
from services.essay_lifecycle.phases import Peers
from services.essay_lifecycle.protocols import EssayUnitOfWork
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)
from services.essay_lifecycle.repository_postgres_impl import PostgresEssayUnitOfWork


class PeersProvider(Provider):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def peers(self) -> Peers:
        s = self._settings
        return Peers(
            self_url=s.public_url.rstrip("/"),
            spell_checker_url=s.spell_checker_url.rstrip("/"),
            cj_assessment_url=s.cj_assessment_url.rstrip("/"),
        )


class PostgresStorageProvider(Provider):
    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, session: AsyncSession) -> EssayUnitOfWork:
        return PostgresEssayUnitOfWork(session)


class MemoryStorageProvider(Provider):
    """Unit tests only: the outbox calls it records are never sent."""

    @provide(scope=Scope.APP)
    def store(self) -> MemoryEssayStore:
        return MemoryEssayStore()

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, store: MemoryEssayStore) -> EssayUnitOfWork:
        return MemoryEssayUnitOfWork(store)


def providers(settings: Settings) -> list[Provider]:
    storage: Provider = (
        MemoryStorageProvider()
        if settings.repository is RepositoryKind.MEMORY
        else PostgresStorageProvider()
    )
    return [PeersProvider(settings), storage]
