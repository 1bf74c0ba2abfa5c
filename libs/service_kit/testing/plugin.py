"""pytest plugin: a real PostgreSQL for the session and fresh databases on demand.

Loaded by ``-p service_kit.testing.plugin`` in pyproject's addopts, so every service's
tests (and ``pdm run pytest services/<name>/tests`` alone) get the same fixtures.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from service_kit import migrations
from service_kit.postgres_server import (
    NoPostgres,
    PostgresServer,
    create_database,
    drop_database,
    find_test_server,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
DatabaseFactory = Callable[[str], Awaitable[str]]


def alembic_ini_for(service: str) -> Path:
    return REPO_ROOT / "services" / service / "alembic.ini"


@pytest_asyncio.fixture(scope="session")
async def postgres_server() -> AsyncIterator[PostgresServer]:
    try:
        server = await find_test_server()
    except NoPostgres as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="session")
async def make_database(postgres_server: PostgresServer) -> AsyncIterator[DatabaseFactory]:
    """``await make_database("content")`` -> the asyncpg URL of a new, empty database."""
    made: list[str] = []

    async def make(prefix: str) -> str:
        name = f"t_{prefix}_{uuid.uuid4().hex[:10]}"
        made.append(name)
        return await create_database(postgres_server, name)

    yield make
    for name in made:
        await drop_database(postgres_server, name)


@pytest_asyncio.fixture(scope="session")
async def make_migrated_database(make_database: DatabaseFactory) -> DatabaseFactory:
    """``await make_migrated_database("content_service")``: a new database at Alembic head."""

    async def make(service: str) -> str:
        url = await make_database(service)
        await migrations.upgrade(alembic_ini_for(service), url)
        return url

    return make
