"""essay_lifecycle storage on PostgreSQL, with the shared outbox and inbox."""

from __future__ import annotations

import dataclasses
import enum
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import Database, SqlAlchemyUnitOfWork
from service_kit.errors import Conflict
from service_kit.messaging.outbox import enqueue
from service_kit.pagination import keyset_after
from services.essay_lifecycle.domain import (
    Batch,
    Essay,
    EssayStatus,
    Phase,
    PhaseRun,
    PhaseRunStatus,
    TimelineEvent,
    Transition,
)
from services.essay_lifecycle.models_db import (
    BatchRow,
    EssayEventRow,
    EssayRow,
    PhaseRunRow,
    messaging,
)
from services.essay_lifecycle.settle_sql import READ_ESSAY_WITH_RUN, settle_statement

_essays = cast(Table, EssayRow.__table__)
_events = cast(Table, EssayEventRow.__table__)
_batches = cast(Table, BatchRow.__table__)
_runs = cast(Table, PhaseRunRow.__table__)
_ESSAY_FIELDS = [f.name for f in dataclasses.fields(Essay)]
_RUN_FIELDS = [f.name for f in dataclasses.fields(PhaseRun)]
_FIXED = ("id", "batch_id", "file_id", "created_at")

# The callback hot path runs these for every transition: built once with bind parameters, so
# SQLAlchemy computes their cache keys once instead of per call.
_GET_ESSAY = select(_essays).where(_essays.c.id == bindparam("essay_id"))
_LOCK_ESSAY = _GET_ESSAY.with_for_update()
_SAVE_ESSAY = (
    update(_essays)
    .where(_essays.c.id == bindparam("b_id"), _essays.c.version == bindparam("b_expected"))
    .values({name: bindparam(f"b_{name}") for name in _ESSAY_FIELDS if name not in _FIXED})
)
_ADD_EVENT = insert(_events)
_GET_RUN = select(_runs).where(
    _runs.c.batch_id == bindparam("batch_id"),
    _runs.c.phase == bindparam("phase"),
    _runs.c.attempt == bindparam("attempt"),
)
_CLOSE_RUN = (
    update(_runs)
    .where(
        _runs.c.batch_id == bindparam("b_batch_id"),
        _runs.c.phase == bindparam("b_phase"),
        _runs.c.attempt == bindparam("b_attempt"),
        _runs.c.status == PhaseRunStatus.RUNNING,
    )
    .values(open_essays=_runs.c.open_essays - bindparam("b_essays"))
    .returning(_runs.c.open_essays)
)


def _essay(row: Any) -> Essay:
    return Essay(**{name: getattr(row, name) for name in _ESSAY_FIELDS})


def _run(row: Any) -> PhaseRun:
    return PhaseRun(**{name: getattr(row, name) for name in _RUN_FIELDS})


def _event_values(event: TimelineEvent) -> dict[str, Any]:
    return dataclasses.asdict(event)


class PostgresEssayRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, created: Transition) -> bool:
        inserted = await self._session.execute(
            insert(_essays)
            .values(**dataclasses.asdict(created.essay))
            .on_conflict_do_nothing(index_elements=["batch_id", "file_id"])
            .returning(_essays.c.id)
        )
        if inserted.first() is None:
            return False
        await self._session.execute(insert(_events).values(**_event_values(created.event)))
        return True

    def _select(self, *conditions: Any, for_update: bool = False) -> Any:
        statement = select(_essays).where(*conditions)
        return statement.with_for_update() if for_update else statement

    async def get(self, essay_id: uuid.UUID, *, for_update: bool = False) -> Essay | None:
        statement = _LOCK_ESSAY if for_update else _GET_ESSAY
        row = (await self._session.execute(statement, {"essay_id": essay_id})).first()
        return None if row is None else _essay(row)

    async def by_file(
        self, batch_id: str, file_id: str, *, for_update: bool = False
    ) -> Essay | None:
        statement = self._select(
            _essays.c.batch_id == batch_id, _essays.c.file_id == file_id, for_update=for_update
        )
        row = (await self._session.execute(statement)).first()
        return None if row is None else _essay(row)

    async def save(self, transition: Transition) -> None:
        essay = transition.essay
        params = {f"b_{name}": getattr(essay, name) for name in _ESSAY_FIELDS if name not in _FIXED}
        params |= {"b_id": essay.id, "b_expected": essay.version - 1}
        result = await self._session.execute(_SAVE_ESSAY, params)
        if not result.rowcount:  # type: ignore[attr-defined]
            raise Conflict(f"essay {essay.id} changed while this request was applied; try again")
        await self._session.execute(_ADD_EVENT, _event_values(transition.event))

    async def in_batch(
        self,
        batch_id: str,
        *,
        statuses: tuple[EssayStatus, ...] | None = None,
        ids: list[uuid.UUID] | None = None,
        for_update: bool = False,
    ) -> list[Essay]:
        conditions = [_essays.c.batch_id == batch_id]
        if statuses is not None:
            conditions.append(_essays.c.status.in_(statuses))
        if ids is not None:
            conditions.append(_essays.c.id.in_(ids))
        # a fixed lock order (by id) keeps two replicas from deadlocking on one batch
        statement = self._select(*conditions, for_update=for_update).order_by(_essays.c.id)
        return [_essay(row) for row in await self._session.execute(statement)]

    async def in_run(self, batch_id: str, phase: Phase, attempt: int) -> list[Essay]:
        statement = self._select(
            _essays.c.batch_id == batch_id,
            _essays.c.phase == phase,
            _essays.c.phase_attempt == attempt,
        ).order_by(_essays.c.id)
        return [_essay(row) for row in await self._session.execute(statement)]

    async def page(
        self,
        batch_id: str,
        *,
        status: EssayStatus | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[Essay]:
        conditions = [_essays.c.batch_id == batch_id]
        if status is not None:
            conditions.append(_essays.c.status == status)
        conditions.extend(keyset_after(_essays.c.created_at, _essays.c.id, after))
        statement = (
            self._select(*conditions).order_by(_essays.c.created_at, _essays.c.id).limit(limit)
        )
        return [_essay(row) for row in await self._session.execute(statement)]

    async def timeline(self, essay_id: uuid.UUID) -> list[TimelineEvent]:
        rows = await self._session.execute(
            select(*[_events.c[f.name] for f in dataclasses.fields(TimelineEvent)])
            .where(_events.c.essay_id == essay_id)
            .order_by(_events.c.sequence)
        )
        return [TimelineEvent(**row._asdict()) for row in rows]

    async def count_by_status(self, batch_id: str) -> dict[EssayStatus, int]:
        rows = await self._session.execute(
            select(_essays.c.status, func.count())
            .where(_essays.c.batch_id == batch_id)
            .group_by(_essays.c.status)
        )
        return {row[0]: int(row[1]) for row in rows}


class PostgresBatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self, batch_id: str, at: datetime) -> None:
        await self._session.execute(
            insert(_batches).values(id=batch_id, created_at=at).on_conflict_do_nothing()
        )

    async def register(self, batch: Batch) -> None:
        values = dataclasses.asdict(batch)
        statement = insert(_batches).values(**values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["id"],
                set_={
                    "language": statement.excluded.language,
                    "expected_essay_count": statement.excluded.expected_essay_count,
                    "callback_url": statement.excluded.callback_url,
                },
            )
        )
        # essays announced before the batch was registered take its language now
        await self._session.execute(
            update(_essays)
            .where(_essays.c.batch_id == batch.id, _essays.c.language.is_(None))
            .values(language=batch.language)
        )

    async def get(self, batch_id: str) -> Batch | None:
        row = (
            await self._session.execute(select(_batches).where(_batches.c.id == batch_id))
        ).first()
        if row is None:
            return None
        return Batch(
            row.id,
            row.language,
            row.expected_essay_count,
            row.callback_url,
            created_at=row.created_at,
        )


class PostgresPhaseRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, run: PhaseRun) -> bool:
        inserted = await self._session.execute(
            insert(_runs)
            .values(**dataclasses.asdict(run))
            .on_conflict_do_nothing()
            .returning(_runs.c.attempt)
        )
        return inserted.first() is not None

    def _key(self, batch_id: str, phase: Phase, attempt: int) -> Any:
        return and_(
            _runs.c.batch_id == batch_id, _runs.c.phase == phase, _runs.c.attempt == attempt
        )

    async def get(self, batch_id: str, phase: Phase, attempt: int) -> PhaseRun | None:
        params = {"batch_id": batch_id, "phase": phase, "attempt": attempt}
        row = (await self._session.execute(_GET_RUN, params)).first()
        return None if row is None else _run(row)

    async def close(self, run: PhaseRun, essays: int) -> int | None:
        params = {
            "b_batch_id": run.batch_id,
            "b_phase": run.phase,
            "b_attempt": run.attempt,
            "b_essays": essays,
        }
        remaining = await self._session.scalar(_CLOSE_RUN, params)
        return None if remaining is None else int(remaining)

    async def mark_reported(self, run: PhaseRun, at: datetime) -> bool:
        result = await self._session.execute(
            update(_runs)
            .where(
                _runs.c.batch_id == run.batch_id,
                _runs.c.phase == run.phase,
                _runs.c.attempt == run.attempt,
                _runs.c.status == PhaseRunStatus.RUNNING,
            )
            .values(status=PhaseRunStatus.REPORTED, reported_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_counts(self, run: PhaseRun, essay_count: int, open_essays: int) -> None:
        await self._session.execute(
            update(_runs)
            .where(self._key(run.batch_id, run.phase, run.attempt))
            .values(essay_count=essay_count, open_essays=open_essays)
        )

    async def for_batch(self, batch_id: str) -> list[PhaseRun]:
        rows = await self._session.execute(
            select(_runs).where(_runs.c.batch_id == batch_id).order_by(_runs.c.created_at)
        )
        return [_run(row) for row in rows]


def _column(value: Any) -> Any:
    """A domain value as asyncpg takes it (no JSON codec on the raw pool)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _from_json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


class PostgresEssayUnitOfWork(SqlAlchemyUnitOfWork):
    """The session-bound repositories: one transaction, with the outbox."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.essays = PostgresEssayRepository(session)
        self.batches = PostgresBatchRepository(session)
        self.runs = PostgresPhaseRunRepository(session)

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        await enqueue(
            self.session, messaging.outbox, method, url, json=body, idempotency_key=idempotency_key
        )


class PostgresEssaySettler:
    """The callback's fast path on the raw asyncpg pool (``settle_sql``): single statements
    in their own implicit transactions, no ORM session, no BEGIN/COMMIT round trips.
    ``SETTLE``'s ``open_essays > 1`` on a running run is ``PhaseRun.settles_alone``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def essay_with_run(
        self, essay_id: uuid.UUID, phase: Phase, attempt: int
    ) -> tuple[Essay | None, PhaseRun | None]:
        row = await self._database.fetchrow(READ_ESSAY_WITH_RUN, essay_id, phase.value, attempt)
        if row is None:
            return None, None
        values = dict(row)
        essay = Essay(
            **{
                **{name: values[name] for name in _ESSAY_FIELDS},
                "status": EssayStatus(values["status"]),
                "phase": None if values["phase"] is None else Phase(values["phase"]),
                "spelling": _from_json(values["spelling"]),
                "assessment": _from_json(values["assessment"]),
            }
        )
        if values["run_status"] is None:
            return essay, None
        run = PhaseRun(
            essay.batch_id,
            phase,
            attempt,
            PhaseRunStatus(values["run_status"]),
            values["run_essay_count"],
            json.loads(values["run_settings"]),
            values["run_last_phase"],
            values["run_open_essays"],
            created_at=values["run_created_at"],
            reported_at=values["run_reported_at"],
        )
        return essay, run

    async def settle(
        self, before: Essay, transitions: Sequence[Transition], run: PhaseRun
    ) -> int | None:
        after = transitions[-1].essay
        columns = tuple(
            name
            for name in _ESSAY_FIELDS
            if name not in _FIXED and getattr(after, name) != getattr(before, name)
        )
        events = [t.event for t in transitions]
        row = await self._database.fetchrow(
            settle_statement(columns),
            before.id,
            before.version,
            run.batch_id,
            run.phase.value,
            run.attempt,
            [e.sequence for e in events],
            [e.event for e in events],
            [None if e.from_status is None else e.from_status.value for e in events],
            [e.to_status.value for e in events],
            [json.dumps(e.details) for e in events],
            [e.correlation_id for e in events],
            [e.at for e in events],
            *(_column(getattr(after, name)) for name in columns),
        )
        return None if row is None else int(row["open_essays"])
