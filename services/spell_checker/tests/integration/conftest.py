import pytest_asyncio


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    """One migrated spell_checker database per test module; tests use their own essay ids."""
    return await make_migrated_database("spell_checker")
