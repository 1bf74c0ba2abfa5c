"""The in-memory unit of work every service's unit tests use: one implementation.

A service's memory store is a dataclass of dicts and lists (the "tables"), with a ``calls``
dict standing in for the outbox. The unit of work snapshots those containers on entry and on
commit and restores them on rollback, so it honours the same contract as the SQL one:
nothing lands unless committed.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar


class MemoryStore(Protocol):
    calls: dict[str, tuple[str, str, Any]]


StoreT = TypeVar("StoreT", bound=MemoryStore)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value)


class MemoryUnitOfWork(Generic[StoreT]):
    def __init__(self, store: StoreT) -> None:
        self.store = store
        self._snapshot: dict[str, Any] | None = None

    def _take_snapshot(self) -> None:
        self._snapshot = {name: _copy(value) for name, value in vars(self.store).items()}

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        """The outbox: one call per idempotency key."""
        self.store.calls.setdefault(idempotency_key, (method, url, body))

    async def __aenter__(self) -> Self:
        self._take_snapshot()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self._take_snapshot()

    async def rollback(self) -> None:
        if self._snapshot is not None:
            for name, value in self._snapshot.items():
                setattr(self.store, name, _copy(value))
