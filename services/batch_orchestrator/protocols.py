"""The contracts batch_orchestrator's use cases hold their adapters to."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from service_kit.unit_of_work import OutboxUnitOfWork
from services.batch_orchestrator.domain import (
    Batch,
    BatchStatus,
    EssayResult,
    EssaySummary,
    Intake,
    PhaseAttempt,
    ResultPosition,
    Snapshot,
    StatusChange,
)


class BatchRepository(Protocol):
    async def add(self, batch: Batch) -> None: ...

    async def get(self, batch_id: str, *, for_update: bool = False) -> Batch | None: ...

    async def save(self, batch: Batch) -> None:
        """Compare-and-set on version (``batch.version - 1`` expected); Conflict if lost."""
        ...

    async def page(
        self,
        *,
        owner: str | None,
        status: BatchStatus | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Batch]: ...

    async def add_snapshot(self, snapshot: Snapshot) -> None: ...

    async def get_snapshot(self, batch: Batch) -> Snapshot | None: ...

    async def log(self, change: StatusChange) -> None: ...

    async def history(self, batch_id: str) -> list[StatusChange]: ...


class PhaseRepository(Protocol):
    async def add(self, attempt: PhaseAttempt) -> None: ...

    async def all(self, batch_id: str) -> list[PhaseAttempt]: ...

    async def replace(self, attempt: PhaseAttempt, expected: frozenset[Any]) -> bool:
        """Write ``attempt`` only if its stored status is one of ``expected``."""
        ...


class ResultRepository(Protocol):
    async def upsert(self, results: list[EssayResult]) -> None: ...

    async def for_batch(self, batch_id: str) -> list[EssayResult]: ...

    async def page(
        self, batch_id: str, *, after: ResultPosition | None, limit: int
    ) -> list[EssayResult]:
        """Up to ``limit`` results in the table's order (``result_position``), after ``after``."""
        ...

    async def count(self, batch_id: str) -> int: ...


class OrchestratorUnitOfWork(OutboxUnitOfWork, Protocol):
    @property
    def batches(self) -> BatchRepository: ...

    @property
    def phases(self) -> PhaseRepository: ...

    @property
    def results(self) -> ResultRepository: ...


class UnitsOfWork(Protocol):
    """A new unit of work each call, for work that outlives one request's (a CSV streamed
    page by page)."""

    def __call__(self) -> AbstractAsyncContextManager[OrchestratorUnitOfWork]: ...


class FileIntake(Protocol):
    """file_service's seal of a batch's files, asked synchronously at the start."""

    async def seal(self, batch_id: str) -> Intake | None:
        """Seal the batch if every file has its outcome; its counts either way. None when
        file_service cannot answer now."""
        ...


class EssayCounts(Protocol):
    """essay_lifecycle's summary of a batch, asked synchronously with a timeout."""

    async def summary(self, batch_id: str) -> EssaySummary | None:
        """None when essay_lifecycle cannot answer now."""
        ...
