"""Alembic is the only way the schema changes: up, down, up again, and no drift."""

from service_kit.testing.migrations import (
    assert_check_notices_drift,
    assert_upgrade_downgrade_upgrade,
)
from services.cj_assessment.app import ALEMBIC_INI

# what the head revision creates, besides alembic_version
TABLES = (
    "assessments",
    "assessment_essays",
    "comparisons",
    "judges",
    "grade_projections",
    "pair_queue",
    "outbox",
    "processed_requests",
    "jobs",
)
ENUMS = ("assessment_status", "judge_kind", "comparison_status", "job_status", "outbox_status")
# a change behind Alembic's back, which its check must notice
DRIFT = "ALTER TABLE comparisons ADD COLUMN stray integer"


async def test_upgrade_downgrade_upgrade_and_no_drift(make_database):
    url = await make_database("cj_migrations")
    await assert_upgrade_downgrade_upgrade(ALEMBIC_INI, url, tables=TABLES, enums=ENUMS)


async def test_check_notices_drift(make_database):
    await assert_check_notices_drift(ALEMBIC_INI, await make_database("cj_drift"), DRIFT)
