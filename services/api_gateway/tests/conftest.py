from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from quart import Quart

from service_kit.clock import SettableClock
from service_kit.di import clock_provider
from services.api_gateway.app import create_app
from services.api_gateway.config import Settings
from services.api_gateway.tests.fakes import (
    CHEAP_ARGON2,
    MemoryBatchOwnership,
    ownership_provider,
)

# the real time (cookies carry a max-age the test client checks against it), then moved by hand
T0 = datetime.now(UTC).replace(microsecond=0)


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    return await make_migrated_database("api_gateway")


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(T0)


@pytest.fixture
def ownership() -> MemoryBatchOwnership:
    return MemoryBatchOwnership()


def gateway_settings(database_url: str, **overrides) -> Settings:
    values = {"database_url": database_url, "log_level": "WARNING", **CHEAP_ARGON2, **overrides}
    return Settings(**values)


@pytest_asyncio.fixture
async def app(
    database_url: str, clock: SettableClock, ownership: MemoryBatchOwnership
) -> AsyncIterator[Quart]:
    app = create_app(
        gateway_settings(database_url),
        extra_providers=[clock_provider(clock), ownership_provider(ownership)],
    )
    async with app.test_app():
        yield app
