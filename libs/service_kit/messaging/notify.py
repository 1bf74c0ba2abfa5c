"""Wake-ups after commit: PostgreSQL NOTIFY is delivered when the enqueuing transaction commits,
to every replica listening, so a relay or worker reacts at once instead of on its next poll."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from service_kit.logging import get_logger

log = get_logger("service_kit.notify")


async def notify(session_or_connection: AsyncSession | AsyncConnection, channel: str) -> None:
    """Queue a NOTIFY in the caller's transaction (sent only if it commits)."""
    await session_or_connection.execute(text(f"NOTIFY {channel}"))


class Listener:
    """One LISTEN connection per process; each channel sets an asyncio.Event."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._events: dict[str, asyncio.Event] = {}
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    def event(self, channel: str) -> asyncio.Event:
        return self._events.setdefault(channel, asyncio.Event())

    def _on_notify(self, _conn: object, _pid: int, channel: str, _payload: str) -> None:
        if channel in self._events:
            self._events[channel].set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._keep_listening())

    async def _keep_listening(self) -> None:
        while True:
            try:
                lost = asyncio.Event()
                self._connection = await asyncpg.connect(self._dsn)
                self._connection.add_termination_listener(lambda _conn, lost=lost: lost.set())
                for channel in self._events:
                    await self._connection.add_listener(channel, self._on_notify)
                for event in self._events.values():
                    event.set()  # anything committed while we were away is picked up now
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("listener_reconnecting", error=repr(exc))
            await asyncio.sleep(1)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection and not self._connection.is_closed():
            await self._connection.close()
