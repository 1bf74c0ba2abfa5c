"""content_service's composition root: which storage backs the use cases, and the use cases."""

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
from services.content_service.use_cases import (
    CreateDocument,
    DeleteDocument,
    GetDocument,
    ListDocuments,
    PurgeBlobs,
    ReadBlob,
    StoreBlob,
    UpdateDocument,
)


class PostgresReaderProvider(Provider):
    @provide(scope=Scope.APP)
    def blob_reader(self, database: Database) -> BlobReader:
        return PostgresBlobReader(database)


class MemoryReaderProvider(Provider):
    @provide(scope=Scope.APP)
    def blob_reader(self, store: MemoryContentStore) -> BlobReader:
        return MemoryBlobReader(store)


class UseCasesProvider(Provider):
    """Every use case per request, its ports resolved by type."""

    scope = Scope.REQUEST

    store_blob = provide(StoreBlob)
    read_blob = provide(ReadBlob)
    create_document = provide(CreateDocument)
    get_document = provide(GetDocument)
    list_documents = provide(ListDocuments)
    update_document = provide(UpdateDocument)
    delete_document = provide(DeleteDocument)
    purge_blobs = provide(PurgeBlobs)


def storage_providers(settings: Settings) -> list[Provider]:
    """The unit of work and the blob reader, on PostgreSQL or in memory as settings say."""
    storage = storage_provider(
        settings,
        ContentUnitOfWork,
        postgres=PostgresContentUnitOfWork,
        memory=MemoryContentUnitOfWork,
        memory_store=MemoryContentStore,
    )
    memory = settings.repository is RepositoryKind.MEMORY
    return [storage, MemoryReaderProvider() if memory else PostgresReaderProvider()]


def providers(settings: Settings) -> list[Provider]:
    return [*storage_providers(settings), UseCasesProvider()]
