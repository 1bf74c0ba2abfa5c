"""dishka providers service_kit offers every service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.clock import Clock, SystemClock
from service_kit.db import Database
from service_kit.http_client import make_http_client
from service_kit.settings import RepositoryKind, ServiceSettings


class ClockProvider(Provider):
    """The system clock for every use case that takes a ``Clock``; tests override it with
    ``clock_provider(SettableClock(...))``."""

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return SystemClock()


def clock_provider(clock: Clock) -> Provider:
    """A provider of this very clock (a ``SettableClock`` in tests). Put it after the
    service's providers: dishka lets the last provider of a type win."""

    def given() -> Clock:
        return clock

    provider = Provider(scope=Scope.APP)
    provider.provide(given, provides=Clock)
    return provider


class DatabaseProvider(Provider):
    """A session per request; the service commits explicitly (finalizers never see the error)."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self._database = database

    @provide(scope=Scope.APP)
    def database(self) -> Database:
        return self._database

    @provide(scope=Scope.REQUEST)
    async def session(self, database: Database) -> AsyncIterator[AsyncSession]:
        async with database.sessions() as session:
            yield session


class HttpClientProvider(Provider):
    """One httpx client per app for synchronous calls to peers (timeouts, correlation id,
    the platform's bearer token); closed when the app stops."""

    def __init__(self, settings: ServiceSettings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    async def http_client(self) -> AsyncIterator[httpx.AsyncClient]:
        client = make_http_client(
            timeout_seconds=self._settings.http_timeout_seconds, token=self._settings.token
        )
        yield client
        await client.aclose()


def storage_provider(
    settings: ServiceSettings,
    unit_of_work: Any,
    *,
    postgres: type,
    memory: type,
    memory_store: type,
) -> Provider:
    """The service's unit of work per request, on PostgreSQL or (unit tests) in memory, as
    ``<NAME>_REPOSITORY`` says. ``postgres`` takes the request's AsyncSession, ``memory`` a
    ``memory_store`` that lives as long as the app."""
    provider = Provider()
    if settings.repository is RepositoryKind.MEMORY:

        def make_store() -> Any:
            return memory_store()

        provider.provide(make_store, scope=Scope.APP, provides=memory_store)
        provider.provide(memory, scope=Scope.REQUEST, provides=unit_of_work)
    else:
        provider.provide(postgres, scope=Scope.REQUEST, provides=unit_of_work)
    return provider
