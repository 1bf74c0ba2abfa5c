"""The composition root: every use case resolves per request, on either storage."""

import pytest
from dishka import make_async_container

from service_kit.db import Database
from service_kit.di import ClockProvider, DatabaseProvider
from service_kit.settings import RepositoryKind
from services.content_service import use_cases
from services.content_service.config import Settings
from services.content_service.di import providers
from services.content_service.repository_memory_impl import (
    MemoryBlobReader,
    MemoryContentUnitOfWork,
)
from services.content_service.repository_postgres_impl import PostgresBlobReader

USE_CASES = [
    getattr(use_cases, name)
    for name in use_cases.__all__
    if not name.endswith(("Command", "Result"))
]


def test_the_package_exports_each_operation():
    assert sorted(c.__name__ for c in USE_CASES) == [
        "CreateDocument",
        "DeleteDocument",
        "GetDocument",
        "ListDocuments",
        "PurgeBlobs",
        "ReadBlob",
        "StoreBlob",
        "UpdateDocument",
    ]


@pytest.mark.parametrize("use_case", USE_CASES, ids=lambda c: c.__name__)
async def test_each_use_case_resolves_on_memory_storage(use_case):
    container = make_async_container(
        ClockProvider(), *providers(Settings(repository=RepositoryKind.MEMORY))
    )
    try:
        async with container() as request:
            resolved = await request.get(use_case)
        assert isinstance(resolved, use_case)
        port = next(iter(vars(resolved).values()))
        assert isinstance(port, MemoryContentUnitOfWork | MemoryBlobReader)
    finally:
        await container.close()


async def test_the_read_path_gets_the_raw_pool_reader_on_postgres():
    # nothing connects until a read: the pool is made on first use
    database = Database("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    container = make_async_container(
        ClockProvider(), DatabaseProvider(database), *providers(Settings())
    )
    try:
        async with container() as request:
            read = await request.get(use_cases.ReadBlob)
        assert isinstance(read._reader, PostgresBlobReader)
    finally:
        await container.close()
        await database.dispose()
