import pytest_asyncio


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    """One migrated file_service database per test module; tests use their own batch ids."""
    return await make_migrated_database("file_service")
