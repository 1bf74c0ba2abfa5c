"""Alembic is the only way the schema changes: up, down, up again, and no drift."""

from service_kit.testing.migrations import (
    assert_check_notices_drift,
    assert_upgrade_downgrade_upgrade,
)
from services.batch_orchestrator.app import ALEMBIC_INI

# what the head revision creates, besides alembic_version
TABLES = (
    "batches",
    "phase_status",
    "phase_status_log",
    "configuration_snapshots",
    "essay_results",
    "outbox",
    "processed_requests",
    "jobs",
)
ENUMS = ("batch_status", "phase_state")
# a change behind Alembic's back, which its check must notice
DRIFT = "ALTER TABLE batches ADD COLUMN stray integer"


async def test_upgrade_downgrade_upgrade_and_no_drift(make_database):
    url = await make_database("bos_migrations")
    await assert_upgrade_downgrade_upgrade(ALEMBIC_INI, url, tables=TABLES, enums=ENUMS)


async def test_check_notices_drift(make_database):
    await assert_check_notices_drift(ALEMBIC_INI, await make_database("bos_drift"), DRIFT)
