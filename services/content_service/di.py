"""content_service's composition root: which storage backs the use cases."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from service_kit.db import Database
from service_kit.di import storage_provider
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


class PostgresReaderProvider(Provider):
    @provide(scope=Scope.APP)
    def blob_reader(self, database: Database) -> BlobReader:
        return PostgresBlobReader(database)


class MemoryReaderProvider(Provider):
    @provide(scope=Scope.APP)
    def blob_reader(self, store: MemoryContentStore) -> BlobReader:
        return MemoryBlobReader(store)


def providers(settings: Settings) -> list[Provider]:
    storage = storage_provider(
        settings,
        ContentUnitOfWork,
        postgres=PostgresContentUnitOfWork,
        memory=MemoryContentUnitOfWork,
        memory_store=MemoryContentStore,
    )
    memory = settings.repository is RepositoryKind.MEMORY
    return [storage, MemoryReaderProvider() if memory else PostgresReaderProvider()]
