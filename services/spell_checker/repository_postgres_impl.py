"""spell_checker storage on PostgreSQL, with the shared inbox, outbox and job queue."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import SqlAlchemyUnitOfWork
from service_kit.messaging import inbox
from service_kit.messaging.jobs import enqueue_job
from service_kit.messaging.outbox import enqueue
from services.spell_checker.domain import SpellcheckJob, SpellcheckStatus, StoredCorrection
from services.spell_checker.models_db import CorrectionRow, SpellcheckJobRow, messaging
from services.spell_checker.protocols import StoredAnswer

_jobs = cast(Table, SpellcheckJobRow.__table__)
_corrections = cast(Table, CorrectionRow.__table__)
_JOB_FIELDS = [f.name for f in dataclasses.fields(SpellcheckJob)]
_UNFINISHED = (SpellcheckStatus.QUEUED, SpellcheckStatus.RUNNING)


def _job(row: Any) -> SpellcheckJob:
    values = {name: getattr(row, name) for name in _JOB_FIELDS}
    values["ignore"] = tuple(values["ignore"])
    return SpellcheckJob(**values)


def _columns(job: SpellcheckJob) -> dict[str, Any]:
    values = dataclasses.asdict(job)
    values["ignore"] = list(job.ignore)
    return values


def _correction(row: Any) -> StoredCorrection:
    return StoredCorrection(
        row.job_id,
        row.position,
        row.start,
        row.end,
        row.original,
        row.suggestion,
        tuple(row.candidates),
        row.applied,
    )


class PostgresSpellcheckJobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_or_get(self, job: SpellcheckJob) -> tuple[SpellcheckJob, bool]:
        # the unique pair decides: a concurrent twin's insert waits for ours to commit, then
        # does nothing and reads (and locks) the job ours made
        inserted = await self._session.execute(
            insert(_jobs)
            .values(**_columns(job))
            .on_conflict_do_nothing(index_elements=["essay_id", "content_id"])
            .returning(_jobs.c.id)
        )
        if inserted.first() is not None:
            return job, True
        row = (
            await self._session.execute(
                select(_jobs)
                .where(_jobs.c.essay_id == job.essay_id, _jobs.c.content_id == job.content_id)
                .with_for_update()
            )
        ).one()
        return _job(row), False

    async def get(self, job_id: uuid.UUID) -> SpellcheckJob | None:
        row = (await self._session.execute(select(_jobs).where(_jobs.c.id == job_id))).first()
        return None if row is None else _job(row)

    async def update(self, job: SpellcheckJob) -> None:
        values = _columns(job)
        del values["id"]
        await self._session.execute(update(_jobs).where(_jobs.c.id == job.id).values(**values))

    async def start(self, job_id: uuid.UUID, run: int, at: datetime) -> SpellcheckJob | None:
        row = (
            await self._session.execute(
                update(_jobs)
                .where(_jobs.c.id == job_id, _jobs.c.run == run, _jobs.c.status.in_(_UNFINISHED))
                .values(
                    status=SpellcheckStatus.RUNNING,
                    started_at=func.coalesce(_jobs.c.started_at, at),
                )
                .returning(_jobs)
            )
        ).first()
        return None if row is None else _job(row)

    async def finish(self, job: SpellcheckJob, corrections: list[StoredCorrection]) -> str | None:
        values = _columns(job)
        # the callback URL is left as stored: a request may have moved it while the run went on
        for key in ("id", "essay_id", "content_id", "queued_at", "callback_url"):
            del values[key]
        callback_url = await self._session.scalar(
            update(_jobs)
            .where(_jobs.c.id == job.id, _jobs.c.run == job.run, _jobs.c.status.in_(_UNFINISHED))
            .values(**values)
            .returning(_jobs.c.callback_url)
        )
        if callback_url is None:
            return None
        if corrections:
            await self._session.execute(
                insert(_corrections),
                [{**dataclasses.asdict(c), "candidates": list(c.candidates)} for c in corrections],
            )
        return str(callback_url)

    async def corrections(
        self, job_id: uuid.UUID, *, after: int | None, limit: int
    ) -> list[StoredCorrection]:
        statement = select(_corrections).where(_corrections.c.job_id == job_id)
        if after is not None:
            statement = statement.where(_corrections.c.position > after)
        statement = statement.order_by(_corrections.c.position).limit(limit)
        return [_correction(row) for row in await self._session.execute(statement)]


class PostgresSpellcheckUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.jobs = PostgresSpellcheckJobRepository(session)

    async def replay(self, idempotency_key: str, scope: str) -> StoredAnswer | None:
        stored = await inbox.claim(
            self.session, messaging.processed_requests, idempotency_key, scope
        )
        return None if stored is None else StoredAnswer(stored.status_code, stored.body)

    async def remember(self, idempotency_key: str, scope: str, status_code: int, body: Any) -> None:
        await inbox.record(
            self.session, messaging.processed_requests, idempotency_key, scope, status_code, body
        )

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        await enqueue(
            self.session, messaging.outbox, method, url, json=body, idempotency_key=idempotency_key
        )

    async def schedule(
        self, kind: str, payload: dict[str, Any], dedup_key: str, max_attempts: int
    ) -> None:
        await enqueue_job(
            self.session,
            messaging.jobs,
            kind,
            payload,
            dedup_key=dedup_key,
            max_attempts=max_attempts,
        )
