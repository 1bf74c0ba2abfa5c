"""The unit-of-work contract every service's domain layer is written against.

A service's own protocol (``OrchestratorUnitOfWork``, ``FileUnitOfWork`` ...) adds its
repositories to one of these; the PostgreSQL side is ``service_kit.db.SqlAlchemyUnitOfWork``,
the in-memory side ``service_kit.memory``. Nothing here imports a framework or a driver.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self


class UnitOfWork(Protocol):
    """One transaction: ``async with uow:`` opens it, ``commit()`` keeps what was written,
    leaving the block without a commit rolls it back."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class OutboxUnitOfWork(UnitOfWork, Protocol):
    """A transaction that can also queue calls to peers, sent once it commits."""

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        """Send this call once the transaction commits (the outbox)."""
        ...
