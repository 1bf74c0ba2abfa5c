"""Engine, sessions and the database metrics every service shares."""

from __future__ import annotations

import asyncio
import time
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self

import asyncpg
from sqlalchemy import Enum, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from service_kit import metrics

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def pg_enum(kind: type, name: str) -> Enum:
    """A PostgreSQL enum type named ``name`` that stores the members' values (not their
    names), so the database reads the same words as the API."""
    return Enum(kind, name=name, values_callable=lambda members: [m.value for m in members])


def make_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def _statement_kind(statement: str) -> str:
    head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "OTHER"
    return head if head in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"} else "OTHER"


# the database time of the request being answered (None outside requests)
_request_db_time: ContextVar[list[float] | None] = ContextVar("request_db_time", default=None)


def start_request_timer() -> list[float]:
    total = [0.0]
    _request_db_time.set(total)
    return total


def _observe(kind: str, elapsed: float) -> None:
    metrics.DB_QUERY_DURATION.labels(kind).observe(elapsed)
    metrics.DB_QUERIES.labels(kind, "ok").inc()
    total = _request_db_time.get()
    if total is not None:
        total[0] += elapsed


def instrument(engine: AsyncEngine) -> None:
    """Time every statement through cursor events: db_query_duration_seconds, db_queries_total."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("query_started", []).append(time.perf_counter())

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        started = conn.info["query_started"].pop()
        _observe(_statement_kind(statement), time.perf_counter() - started)

    @event.listens_for(engine.sync_engine, "handle_error")
    def _error(context: Any) -> None:
        started = context.connection.info.get("query_started") if context.connection else None
        if started:
            started.pop()
        kind = _statement_kind(context.statement or "")
        metrics.DB_QUERIES.labels(kind, "error").inc()


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The raw pool only runs single statements outside transactions, leaving no session
    state behind: skip asyncpg's reset query, a round trip per request on the hot path."""


class Database:
    """One engine per app, disposed on shutdown; sessions live as long as a request.

    Hot read paths may skip the ORM session and use ``fetchrow`` on a small asyncpg pool;
    its statements are timed into the same metrics as the engine's.
    """

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 10) -> None:
        self.url = url
        self.engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=False
        )
        instrument(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._pool_size = pool_size
        self._raw_pool: asyncpg.Pool | None = None
        self._raw_lock = asyncio.Lock()

    async def _raw(self) -> asyncpg.Pool:
        if self._raw_pool is None:
            async with self._raw_lock:
                if self._raw_pool is None:
                    dsn = self.engine.url.set(drivername="postgresql").render_as_string(
                        hide_password=False
                    )
                    self._raw_pool = await asyncpg.create_pool(
                        dsn, min_size=1, max_size=self._pool_size, reset=_keep_session
                    )
        return self._raw_pool

    async def fetchrow(self, statement: str, *args: Any) -> asyncpg.Record | None:
        pool = self._raw_pool or await self._raw()
        kind = _statement_kind(statement)
        started = time.perf_counter()
        try:
            row = await pool.fetchrow(statement, *args)
        except Exception:
            metrics.DB_QUERIES.labels(kind, "error").inc()
            raise
        _observe(kind, time.perf_counter() - started)
        return row

    async def dispose(self) -> None:
        if self._raw_pool is not None:
            await self._raw_pool.close()
        await self.engine.dispose()


class SqlAlchemyUnitOfWork:
    """Base for each service's unit of work: one session, rolled back unless committed.

    ``async with uow: ...; await uow.commit()`` - leaving the block without committing (an
    error, an early return) rolls back, so a half-done change never lands.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
