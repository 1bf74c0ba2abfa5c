import pytest_asyncio


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    return await make_migrated_database("batch_orchestrator")
