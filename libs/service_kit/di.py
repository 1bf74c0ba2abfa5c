"""dishka providers service_kit offers every service."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import Database


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
