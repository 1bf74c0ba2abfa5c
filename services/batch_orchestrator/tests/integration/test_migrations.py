"""Alembic is the only way the schema changes: up, down, up again, and no drift."""

import asyncpg

from service_kit import migrations
from services.batch_orchestrator.app import ALEMBIC_INI


async def _tables(url: str) -> set[str]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "UNION SELECT typname FROM pg_type WHERE typname IN ('batch_status', 'phase_state')"
        )
    finally:
        await connection.close()
    return {row[0] for row in rows}


async def test_upgrade_downgrade_upgrade_and_no_drift(make_database):
    url = await make_database("bos_migrations")
    await migrations.upgrade(ALEMBIC_INI, url)
    expected = {
        "batches",
        "phase_status",
        "phase_status_log",
        "configuration_snapshots",
        "essay_results",
        "outbox",
        "processed_requests",
        "batch_status",
        "phase_state",
    }
    assert expected <= await _tables(url)
    await migrations.downgrade(ALEMBIC_INI, url)
    assert await _tables(url) == {"alembic_version"}
    await migrations.upgrade(ALEMBIC_INI, url)
    await migrations.check(ALEMBIC_INI, url)
