"""content_service's composition root: which storage backs the use cases."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import Database
from service_kit.settings import RepositoryKind
from services.content_service.config import Settings
from services.content_service.protocols import BlobReader, ContentUnitOfWork
from services.content_service.repository_memory_impl import (
    MemoryBlobReader,
    MemoryContentStore,
    MemoryContentUnitOfWork,
)
from services.content_service.repository_postgres_impl import (
    PostgresBlobReader,
    PostgresContentUnitOfWork,
)


class PostgresStorageProvider(Provider):
    @provide(scope=Scope.APP)
    def blob_reader(self, database: Database) -> BlobReader:
        return PostgresBlobReader(database)

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, session: AsyncSession) -> ContentUnitOfWork:
        return PostgresContentUnitOfWork(session)


class MemoryStorageProvider(Provider):
    @provide(scope=Scope.APP)
    def store(self) -> MemoryContentStore:
        return MemoryContentStore()

    @provide(scope=Scope.APP)
    def blob_reader(self, store: MemoryContentStore) -> BlobReader:
        return MemoryBlobReader(store)

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, store: MemoryContentStore) -> ContentUnitOfWork:
        return MemoryContentUnitOfWork(store)


def providers(settings: Settings) -> list[Provider]:
    if settings.repository is RepositoryKind.MEMORY:
        return [MemoryStorageProvider()]
    return [PostgresStorageProvider()]
