"""The ports essay_lifecycle's use cases are written against: the unit of work with its
repositories, and the result callback's fast path (``EssaySettler``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from service_kit.unit_of_work import OutboxUnitOfWork
from services.essay_lifecycle.domain import (
    Batch,
    Essay,
    EssayStatus,
    Phase,
    PhaseRun,
    TimelineEvent,
    Transition,
)


class EssayRepository(Protocol):
    async def add(self, created: Transition) -> bool:
        """False when the batch already has an essay for that file (nothing written)."""
        ...

    async def get(self, essay_id: uuid.UUID, *, for_update: bool = False) -> Essay | None: ...

    async def by_file(
        self, batch_id: str, file_id: str, *, for_update: bool = False
    ) -> Essay | None: ...

    async def save(self, transition: Transition) -> None:
        """Compare-and-set on version, with its timeline event; Conflict on a lost race."""
        ...

    async def in_batch(
        self,
        batch_id: str,
        *,
        statuses: tuple[EssayStatus, ...] | None = None,
        ids: list[uuid.UUID] | None = None,
        for_update: bool = False,
    ) -> list[Essay]: ...

    async def in_run(self, batch_id: str, phase: Phase, attempt: int) -> list[Essay]: ...

    async def page(
        self,
        batch_id: str,
        *,
        status: EssayStatus | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[Essay]: ...

    async def timeline(self, essay_id: uuid.UUID) -> list[TimelineEvent]: ...

    async def count_by_status(self, batch_id: str) -> dict[EssayStatus, int]: ...


class BatchRepository(Protocol):
    async def ensure(self, batch_id: str, at: datetime) -> None:
        """The batch row exists, made ``at`` if it did not (a file may be announced before
        its batch is registered)."""
        ...

    async def register(self, batch: Batch) -> None: ...

    async def get(self, batch_id: str) -> Batch | None: ...


class PhaseRunRepository(Protocol):
    async def add(self, run: PhaseRun) -> bool:
        """False when that attempt of that phase already exists."""
        ...

    async def get(self, batch_id: str, phase: Phase, attempt: int) -> PhaseRun | None: ...

    async def close(self, run: PhaseRun, essays: int) -> int | None:
        """Count ``essays`` out of the run, as ``PhaseRun.counted_out`` says, on the stored
        row: the number still open afterwards (None if the run is no longer running). A
        short row lock at the transaction's end."""
        ...

    async def mark_reported(self, run: PhaseRun, at: datetime) -> bool:
        """True for the one caller that moves the run from running to reported (at ``at``)."""
        ...

    async def set_counts(self, run: PhaseRun, essay_count: int, open_essays: int) -> None: ...

    async def for_batch(self, batch_id: str) -> list[PhaseRun]: ...


class EssayUnitOfWork(OutboxUnitOfWork, Protocol):
    @property
    def essays(self) -> EssayRepository: ...

    @property
    def batches(self) -> BatchRepository: ...

    @property
    def runs(self) -> PhaseRunRepository: ...


class EssaySettler(Protocol):
    """Counts one essay out of its phase run in a single statement, outside any unit of
    work: the spellcheck callback's fast path. Each call is its own transaction (never use
    it inside ``async with uow``: it would not be part of that transaction).

    It settles only what ``PhaseRun.settles_alone`` allows: the run's last open essay is
    left to the unit of work, whose transaction also sends the outcome."""

    async def essay_with_run(
        self, essay_id: uuid.UUID, phase: Phase, attempt: int
    ) -> tuple[Essay | None, PhaseRun | None]:
        """The essay (None if unknown) and that attempt of that phase for its batch (None if
        there is none), read without locks."""
        ...

    async def settle(
        self, before: Essay, transitions: Sequence[Transition], run: PhaseRun
    ) -> int | None:
        """Save ``transitions`` (computed from ``before``) with their timeline events and
        count the essay out of ``run``, committed at once, all or nothing: the run's open
        essays afterwards, or None with nothing written when ``before`` is no longer the
        essay's version or the run does not let the essay settle alone
        (``PhaseRun.settles_alone``: it has reported, or this is its last open essay)."""
        ...
