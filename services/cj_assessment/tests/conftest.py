import pytest_asyncio


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    """One migrated cj_assessment database per test module; tests make their own
    assessments, so they need no cleanup."""
    return await make_migrated_database("cj_assessment")
