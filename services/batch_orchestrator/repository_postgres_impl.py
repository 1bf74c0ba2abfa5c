"""batch_orchestrator storage on PostgreSQL, with the shared outbox."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Table, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import SqlAlchemyUnitOfWork
from service_kit.errors import Conflict
from service_kit.messaging.outbox import enqueue
from service_kit.pagination import keyset_after
from services.batch_orchestrator.domain import (
    UNRANKED,
    Batch,
    BatchStatus,
    EssayResult,
    PhaseAttempt,
    ResultPosition,
    Snapshot,
    StatusChange,
)
from services.batch_orchestrator.models_db import (
    BatchRow,
    EssayResultRow,
    PhaseStatusRow,
    SnapshotRow,
    StatusLogRow,
    messaging,
)

_batches = cast(Table, BatchRow.__table__)
_snapshots = cast(Table, SnapshotRow.__table__)
_phases = cast(Table, PhaseStatusRow.__table__)
_log = cast(Table, StatusLogRow.__table__)
_results = cast(Table, EssayResultRow.__table__)


def _fields(kind: type) -> list[str]:
    return [f.name for f in dataclasses.fields(kind)]


def _batch(row: Any) -> Batch:
    values = {name: getattr(row, name) for name in _fields(Batch)}
    values["pipeline"] = tuple(values["pipeline"])
    return Batch(**values)


def _batch_values(batch: Batch) -> dict[str, Any]:
    values = dataclasses.asdict(batch)
    values["pipeline"] = list(batch.pipeline)
    return values


class PostgresBatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, batch: Batch) -> None:
        await self._session.execute(insert(_batches).values(**_batch_values(batch)))

    async def get(self, batch_id: str, *, for_update: bool = False) -> Batch | None:
        statement = select(_batches).where(_batches.c.id == batch_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return None if row is None else _batch(row)

    async def save(self, batch: Batch) -> None:
        values = _batch_values(batch)
        del values["id"], values["created_at"]
        result = await self._session.execute(
            update(_batches)
            .where(_batches.c.id == batch.id, _batches.c.version == batch.version - 1)
            .values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise Conflict(f"batch {batch.id} changed while this request was applied; try again")

    async def page(
        self,
        *,
        owner: str | None,
        status: BatchStatus | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Batch]:
        conditions: list[ColumnElement[bool]] = []
        if owner is not None:
            conditions.append(_batches.c.owner == owner)
        if status is not None:
            conditions.append(_batches.c.status == status)
        conditions.extend(keyset_after(_batches.c.created_at, _batches.c.id, after))
        statement = (
            select(_batches)
            .where(*conditions)
            .order_by(_batches.c.created_at, _batches.c.id)
            .limit(limit)
        )
        return [_batch(row) for row in await self._session.execute(statement)]

    async def add_snapshot(self, snapshot: Snapshot) -> None:
        await self._session.execute(insert(_snapshots).values(**dataclasses.asdict(snapshot)))

    async def get_snapshot(self, batch: Batch) -> Snapshot | None:
        if batch.snapshot_id is None:
            return None
        row = (
            await self._session.execute(
                select(_snapshots).where(_snapshots.c.id == batch.snapshot_id)
            )
        ).first()
        return None if row is None else Snapshot(row.id, row.batch_id, row.settings, row.created_at)

    async def log(self, change: StatusChange) -> None:
        await self._session.execute(insert(_log).values(**dataclasses.asdict(change)))

    async def history(self, batch_id: str) -> list[StatusChange]:
        rows = await self._session.execute(
            select(*[_log.c[name] for name in _fields(StatusChange)])
            .where(_log.c.batch_id == batch_id)
            .order_by(_log.c.id)
        )
        return [StatusChange(**row._asdict()) for row in rows]


class PostgresPhaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, attempt: PhaseAttempt) -> None:
        await self._session.execute(insert(_phases).values(**dataclasses.asdict(attempt)))

    async def all(self, batch_id: str) -> list[PhaseAttempt]:
        rows = await self._session.execute(
            select(_phases)
            .where(_phases.c.batch_id == batch_id)
            .order_by(_phases.c.phase, _phases.c.attempt)
        )
        return [PhaseAttempt(**{n: getattr(row, n) for n in _fields(PhaseAttempt)}) for row in rows]

    async def replace(self, attempt: PhaseAttempt, expected: frozenset[Any]) -> bool:
        values = dataclasses.asdict(attempt)
        for key in ("batch_id", "phase", "attempt"):
            del values[key]
        result = await self._session.execute(
            update(_phases)
            .where(
                _phases.c.batch_id == attempt.batch_id,
                _phases.c.phase == attempt.phase,
                _phases.c.attempt == attempt.attempt,
                _phases.c.status.in_(list(expected)),
            )
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class PostgresResultRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, results: list[EssayResult]) -> None:
        if not results:
            return
        statement = insert(_results).values([dataclasses.asdict(r) for r in results])
        excluded = statement.excluded
        # a later phase reports only what it knows: keep earlier figures it leaves empty
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["batch_id", "essay_id"],
                set_={
                    "status": excluded.status,
                    "updated_at": excluded.updated_at,
                    **{
                        column: func.coalesce(excluded[column], _results.c[column])
                        for column in (
                            "file_id",
                            "filename",
                            "spelling",
                            "corrected_text_content_id",
                            "assessment",
                        )
                    },
                },
            )
        )

    async def for_batch(self, batch_id: str) -> list[EssayResult]:
        rows = await self._session.execute(
            select(_results).where(_results.c.batch_id == batch_id).order_by(_results.c.filename)
        )
        return [EssayResult(**{n: getattr(row, n) for n in _fields(EssayResult)}) for row in rows]

    async def page(
        self, batch_id: str, *, after: ResultPosition | None, limit: int
    ) -> list[EssayResult]:
        # the order of domain.result_position, computed in SQL
        key = (
            func.coalesce(_results.c.assessment["rank"].astext.cast(Integer), UNRANKED),
            func.coalesce(_results.c.filename, ""),
            _results.c.essay_id,
        )
        statement = select(_results).where(_results.c.batch_id == batch_id)
        if after is not None:
            statement = statement.where(tuple_(*key) > tuple_(*after))
        rows = await self._session.execute(statement.order_by(*key).limit(limit))
        return [EssayResult(**{n: getattr(row, n) for n in _fields(EssayResult)}) for row in rows]

    async def count(self, batch_id: str) -> int:
        found = await self._session.execute(
            select(func.count()).select_from(_results).where(_results.c.batch_id == batch_id)
        )
        return int(found.scalar() or 0)


class PostgresOrchestratorUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.batches = PostgresBatchRepository(session)
        self.phases = PostgresPhaseRepository(session)
        self.results = PostgresResultRepository(session)

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        await enqueue(
            self.session, messaging.outbox, method, url, json=body, idempotency_key=idempotency_key
        )
