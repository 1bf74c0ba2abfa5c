"""The BlobReader port's contract, held by both adapters: the raw-pool PostgreSQL reader of
the GET/HEAD hot path and the in-memory one the unit tests and the memory app use."""

import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from service_kit.db import Database
from services.content_service.domain import Blob
from services.content_service.protocols import BlobReader
from services.content_service.repository_memory_impl import (
    MemoryBlobReader,
    MemoryContentStore,
    MemoryContentUnitOfWork,
)
from services.content_service.repository_postgres_impl import (
    PostgresBlobReader,
    PostgresContentUnitOfWork,
)


@dataclass
class Backend:
    reader: BlobReader
    store: Callable[[bytes, str | None], Awaitable[Blob]]  # commits the bytes the usual way


@pytest_asyncio.fixture(params=["memory", "postgres"])
async def backend(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Backend]:
    if request.param == "memory":
        memory = MemoryContentStore()

        async def store_in_memory(data: bytes, content_type: str | None) -> Blob:
            blob = Blob.of(data, content_type, datetime.now(UTC))
            async with MemoryContentUnitOfWork(memory) as uow:
                await uow.blobs.add(blob, data)
                await uow.commit()
            return blob

        yield Backend(MemoryBlobReader(memory), store_in_memory)
        return

    database = Database(database_url, pool_size=2, max_overflow=0)

    async def store_in_postgres(data: bytes, content_type: str | None) -> Blob:
        blob = Blob.of(data, content_type, datetime.now(UTC))
        async with database.sessions() as session, PostgresContentUnitOfWork(session) as uow:
            await uow.blobs.add(blob, data)
            await uow.commit()
        return blob

    try:
        yield Backend(PostgresBlobReader(database), store_in_postgres)
    finally:
        await database.dispose()


async def test_get_gives_what_was_stored_and_the_exact_bytes(backend: Backend):
    data = os.urandom(4096)
    stored = await backend.store(data, "application/pdf")
    found = await backend.reader.get(stored.content_id)
    assert found is not None
    blob, got = found
    assert bytes(got) == data
    assert (blob.content_id, blob.size, blob.content_type) == (
        hashlib.sha256(data).hexdigest(),
        4096,
        "application/pdf",
    )
    assert blob.created_at == stored.created_at


async def test_describe_gives_the_blob_without_its_bytes(backend: Backend):
    data = os.urandom(100)
    stored = await backend.store(data, None)
    blob = await backend.reader.describe(stored.content_id)
    assert blob is not None
    assert (blob.content_id, blob.size, blob.content_type) == (
        stored.content_id,
        100,
        "application/octet-stream",
    )


async def test_the_empty_blob_is_a_blob(backend: Backend):
    stored = await backend.store(b"", "text/plain")
    found = await backend.reader.get(stored.content_id)
    assert found is not None
    assert (found[0].size, bytes(found[1])) == (0, b"")


@pytest.mark.parametrize("read", ["get", "describe"])
async def test_an_unknown_id_is_none(backend: Backend, read: str):
    assert await getattr(backend.reader, read)(hashlib.sha256(os.urandom(8)).hexdigest()) is None
