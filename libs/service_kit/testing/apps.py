"""A service's app running in-process for integration tests, and the polling and SQL they use.

A service's tests/integration/helpers.py binds these to its own Settings and ``create_app``;
what differs between services (a preload, a longer default wait) stays in that helpers module.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from quart import Quart

from service_kit.settings import ServiceSettings

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)

# Polls and backoff that make a service's relay and workers react in tenths of a second.
FAST_LOOPS: dict[str, float] = {
    "job_poll_seconds": 0.2,
    "job_retry_base_seconds": 0.05,
    "outbox_poll_seconds": 0.2,
    "outbox_backoff_base_seconds": 0.05,
    "outbox_backoff_max_seconds": 0.2,
}


def fast_settings(
    settings_class: type[SettingsT], database_url: str, **overrides: Any
) -> SettingsT:
    """``settings_class`` on ``database_url`` with warnings-only logs and ``FAST_LOOPS``,
    ``overrides`` last."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "log_level": "WARNING",
        **FAST_LOOPS,
        **overrides,
    }
    return settings_class(**values)


@contextlib.asynccontextmanager
async def running_app(
    app: Quart, settings: ServiceSettings, *, quiet_timeout: float = 10.0
) -> AsyncIterator[Quart]:
    """``app`` (made from ``settings``) with its job workers and outbox relay, as
    ``test_app()`` runs them.

    service_kit's relay and worker loops can lose the cancellation ``stop()`` sends them, and
    the app's shutdown then hangs: when it lands while the engine's first connection is being
    set up (SQLAlchemy raises ResourceClosedError instead), or at the moment a NOTIFY sets the
    event the loop waits on (``asyncio.wait_for`` on Python 3.11 returns the result and drops
    the cancellation). Until that is fixed, start and stop the app when it is quiet: after
    /readyz, and once no job or outbox row is still in flight (no job, when the app runs no
    workers: its queued jobs would never drain).
    """
    async with app.test_app():
        ready = await app.test_client().get("/readyz")
        assert ready.status_code == 200, await ready.get_data()
        yield app
        jobs = settings.job_concurrency > 0
        await quiet(settings.database_url, jobs=jobs, timeout=quiet_timeout)


async def quiet(database_url: str, *, jobs: bool = True, timeout: float = 10.0) -> None:
    """Wait until no outbox row is pending and (with ``jobs``) no job is queued or running,
    then a moment; gives up silently after ``timeout`` seconds."""
    busy_jobs = "(SELECT count(*) FROM jobs WHERE status IN ('queued', 'running'))" if jobs else "0"

    async def idle() -> bool:
        rows = await fetch(
            database_url,
            f"SELECT {busy_jobs} + (SELECT count(*) FROM outbox WHERE status = 'pending') AS busy",
        )
        return rows[0]["busy"] == 0

    with contextlib.suppress(TimeoutError):
        await eventually(idle, timeout)
    await asyncio.sleep(0.3)  # the NOTIFYs of the last commits have been handled


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
    """Run one statement on its own connection (``database_url`` in SQLAlchemy's asyncpg form)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()
