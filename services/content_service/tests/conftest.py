from collections.abc import AsyncIterator

import pytest_asyncio
from quart import Quart

from services.content_service.app import create_app
from services.content_service.config import Settings


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    return await make_migrated_database("content_service")


@pytest_asyncio.fixture
async def app(database_url: str) -> AsyncIterator[Quart]:
    app = create_app(Settings(database_url=database_url, max_body_bytes=64 * 1024))
    async with app.test_app():
        yield app
