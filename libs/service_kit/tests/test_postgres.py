"""Real-PostgreSQL machinery: discovery, databases, throwaway cluster, probes, DB metrics."""

import shutil
import tempfile
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from service_kit.app import create_service_app
from service_kit.db import Database
from service_kit.postgres_server import (
    _pg_binary,
    create_database,
    drop_database,
    free_port,
    start_cluster,
)
from service_kit.settings import ServiceSettings


async def test_make_database_gives_a_fresh_connectable_database(make_database, postgres_server):
    url = await make_database("kit")
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        assert (
            await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname='public'")
            == 0
        )
    finally:
        await connection.close()
    name = url.rsplit("/", 1)[1]
    await drop_database(postgres_server, name)
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))


async def test_create_database_is_idempotent_only_when_asked(make_database, postgres_server):
    url = await make_database("kit")
    name = url.rsplit("/", 1)[1]
    assert await create_database(postgres_server, name, exist_ok=True) == url
    with pytest.raises(RuntimeError):
        await create_database(postgres_server, name)


@pytest.mark.skipif(_pg_binary("initdb") is None, reason="no initdb on this machine")
def test_throwaway_cluster_starts_answers_and_goes_away():
    scratch = Path(tempfile.mkdtemp(prefix="kit-pg-"))
    try:
        server = start_cluster(scratch / "data", free_port(), keep=False)
        import asyncio

        async def ask() -> int:
            connection = await asyncpg.connect(server.admin_url)
            try:
                return int(await connection.fetchval("SELECT 1"))
            finally:
                await connection.close()

        assert asyncio.run(ask()) == 1
        server.stop()
        assert not scratch.exists()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


async def test_readyz_needs_a_reachable_migrated_database(make_database):
    url = await make_database("kit")
    settings = ServiceSettings(service_name="kit", database_url=url)
    app = create_service_app(settings, blueprints=[])
    async with app.test_app() as running:
        client = running.test_client()
        not_migrated = await client.get("/readyz")
        assert not_migrated.status_code == 503
        database: Database = app.extensions["database"]
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE alembic_version (version_num text)"))
            await connection.execute(text("INSERT INTO alembic_version VALUES ('abc')"))
        assert (await client.get("/readyz")).status_code == 200

    unreachable = ServiceSettings(
        service_name="kit", database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/x"
    )
    app = create_service_app(unreachable, blueprints=[])
    async with app.test_app() as running:
        response = await running.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.headers["Content-Type"] == "application/problem+json"


async def test_statements_are_counted_and_timed(make_database):
    from prometheus_client import REGISTRY

    database = Database(await make_database("kit"))
    before = (
        REGISTRY.get_sample_value("db_queries_total", {"operation": "SELECT", "outcome": "ok"}) or 0
    )
    errors_before = (
        REGISTRY.get_sample_value("db_queries_total", {"operation": "SELECT", "outcome": "error"})
        or 0
    )
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        await connection.execute(text("SELECT 2"))
        with pytest.raises(ProgrammingError):
            await connection.execute(text("SELECT * FROM no_such_table"))
    await database.dispose()
    after = REGISTRY.get_sample_value("db_queries_total", {"operation": "SELECT", "outcome": "ok"})
    errors = REGISTRY.get_sample_value(
        "db_queries_total", {"operation": "SELECT", "outcome": "error"}
    )
    assert after == before + 2
    assert errors == errors_before + 1
    assert (
        REGISTRY.get_sample_value("db_query_duration_seconds_count", {"operation": "SELECT"}) >= 2
    )
