"""Shared by file_service's integration tests: multipart bodies, polling, direct SQL."""

from __future__ import annotations

import asyncio
import contextlib
import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
from quart import Quart
from werkzeug.datastructures import FileStorage

from services.file_service.app import create_app
from services.file_service.config import Settings

PROBLEM = "application/problem+json"


def fast_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings that make the relay and the workers react in tenths of a second."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "log_level": "WARNING",
        "job_poll_seconds": 0.2,
        "job_retry_base_seconds": 0.05,
        "outbox_poll_seconds": 0.2,
        "outbox_backoff_base_seconds": 0.05,
        "outbox_backoff_max_seconds": 0.2,
        **overrides,
    }
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Quart]:
    """The app with its job workers and outbox relay, as ``test_app()`` runs them.

    service_kit's relay and worker loops can lose the cancellation ``stop()`` sends them, and
    the app's shutdown then hangs: when it lands while the engine's first connection is being
    set up (SQLAlchemy raises ResourceClosedError instead), or at the moment a NOTIFY sets the
    event the loop waits on (``asyncio.wait_for`` on Python 3.11 returns the result and drops
    the cancellation). Until that is fixed, start and stop the app when it is quiet: after
    /readyz, and once no job or outbox row is still in flight.
    """
    app = create_app(settings)
    async with app.test_app():
        ready = await app.test_client().get("/readyz")
        assert ready.status_code == 200, await ready.get_data()
        yield app
        await quiet(settings.database_url)


async def quiet(database_url: str, timeout: float = 10.0) -> None:
    """Wait until no job is queued or running and no outbox row pending, then a moment."""

    async def idle() -> bool:
        rows = await fetch(
            database_url,
            "SELECT (SELECT count(*) FROM jobs WHERE status IN ('queued', 'running'))"
            " + (SELECT count(*) FROM outbox WHERE status = 'pending') AS busy",
        )
        return rows[0]["busy"] == 0

    with contextlib.suppress(TimeoutError):
        await eventually(idle, timeout)
    await asyncio.sleep(0.3)  # the NOTIFYs of the last commits have been handled


def multipart(*files: tuple[str, bytes]) -> dict[str, FileStorage]:
    """Quart's test client sends a ``files=`` dict as multipart/form-data, one part a key."""
    return {
        f"file{i}": FileStorage(
            io.BytesIO(data), filename=name, content_type="application/octet-stream"
        )
        for i, (name, data) in enumerate(files)
    }


def new_batch() -> str:
    return f"batch-{uuid.uuid4().hex[:12]}"


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float = 20.0, interval: float = 0.05
) -> Any:
    """Poll ``check`` until it returns something truthy; return that."""

    async def poll() -> Any:
        while True:
            found = await check()
            if found:
                return found
            await asyncio.sleep(interval)

    return await asyncio.wait_for(poll(), timeout)


async def fetch(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()
