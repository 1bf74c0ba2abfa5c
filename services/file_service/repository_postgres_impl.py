"""file_service storage on PostgreSQL, with the shared outbox and job queue."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import SqlAlchemyUnitOfWork
from service_kit.messaging.jobs import enqueue_job
from service_kit.messaging.outbox import enqueue
from service_kit.pagination import keyset_after
from services.file_service.domain import FileStatus, FileVersion, FileView, Intake, StoredFile
from services.file_service.models_db import BatchIntakeRow, FileRow, FileVersionRow, messaging

_files = cast(Table, FileRow.__table__)
_versions = cast(Table, FileVersionRow.__table__)
_intake = cast(Table, BatchIntakeRow.__table__)
_VERSION_FIELDS = [f.name for f in dataclasses.fields(FileVersion)]
_VERSION_COLUMNS = [_versions.c[name] for name in _VERSION_FIELDS]


def _version(row: Any) -> FileVersion:
    return FileVersion(**{name: getattr(row, name) for name in _VERSION_FIELDS})


def _view(row: Any) -> FileView:
    stored = StoredFile(
        row.id,
        row.batch_id,
        row.current_version,
        row.file_created_at,
        row.updated_at,
        row.deleted_at,
    )
    return FileView(stored, _version(row))


def _joined() -> Any:
    return select(
        _files.c.id,
        _files.c.batch_id,
        _files.c.current_version,
        _files.c.created_at.label("file_created_at"),
        _files.c.updated_at,
        _files.c.deleted_at,
        *_VERSION_COLUMNS,
    ).join(
        _versions,
        and_(_versions.c.file_id == _files.c.id, _versions.c.version == _files.c.current_version),
    )


class PostgresFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, file: StoredFile, version: FileVersion, staged: bytes | None) -> None:
        await self._session.execute(insert(_files).values(**dataclasses.asdict(file)))
        await self._insert_version(version, staged)

    async def _insert_version(self, version: FileVersion, staged: bytes | None) -> None:
        await self._session.execute(
            insert(_versions).values(**dataclasses.asdict(version), staged_bytes=staged)
        )

    async def get(self, file_id: uuid.UUID, *, for_update: bool = False) -> FileView | None:
        if for_update:
            # lock the file row alone first: a join locked FOR UPDATE would, after waiting on
            # a concurrent new version, re-check the old version row and find nothing
            locked = select(_files.c.id).where(_files.c.id == file_id).with_for_update()
            if (await self._session.execute(locked)).first() is None:
                return None
        row = (await self._session.execute(_joined().where(_files.c.id == file_id))).first()
        return None if row is None else _view(row)

    async def get_version(
        self, file_id: uuid.UUID, version: int
    ) -> tuple[FileView, FileVersion, bytes | None] | None:
        view = await self.get(file_id)
        if view is None:
            return None
        row = (
            await self._session.execute(
                select(*_VERSION_COLUMNS, _versions.c.staged_bytes).where(
                    _versions.c.file_id == file_id, _versions.c.version == version
                )
            )
        ).first()
        return None if row is None else (view, _version(row), row.staged_bytes)

    async def add_version(self, version: FileVersion, staged: bytes | None) -> None:
        await self._insert_version(version, staged)
        await self._session.execute(
            update(_files)
            .where(_files.c.id == version.file_id)
            .values(current_version=version.version, updated_at=version.created_at)
        )

    async def finish_version(self, version: FileVersion) -> bool:
        values = dataclasses.asdict(version)
        for key in ("file_id", "version", "created_at"):
            del values[key]
        result = await self._session.execute(
            update(_versions)
            .where(
                _versions.c.file_id == version.file_id,
                _versions.c.version == version.version,
                _versions.c.status == FileStatus.PROCESSING,
            )
            .values(**values, staged_bytes=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_deleted(self, file_id: uuid.UUID, at: datetime) -> bool:
        result = await self._session.execute(
            update(_files)
            .where(_files.c.id == file_id, _files.c.deleted_at.is_(None))
            .values(deleted_at=at, updated_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list_for_batch(
        self,
        batch_id: str,
        *,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
        include_deleted: bool,
    ) -> list[FileView]:
        conditions = [_files.c.batch_id == batch_id]
        if not include_deleted:
            conditions.append(_files.c.deleted_at.is_(None))
        conditions.extend(keyset_after(_files.c.created_at, _files.c.id, after))
        statement = (
            _joined().where(*conditions).order_by(_files.c.created_at, _files.c.id).limit(limit)
        )
        return [_view(row) for row in await self._session.execute(statement)]

    async def versions(self, file_id: uuid.UUID) -> list[FileVersion]:
        rows = await self._session.execute(
            select(*_VERSION_COLUMNS)
            .where(_versions.c.file_id == file_id)
            .order_by(_versions.c.version)
        )
        return [_version(row) for row in rows]

    async def lock_intake(self, batch_id: str, *, exclusive: bool) -> datetime | None:
        await self._session.execute(
            insert(_intake).values(batch_id=batch_id).on_conflict_do_nothing()
        )
        locked = select(_intake.c.sealed_at).where(_intake.c.batch_id == batch_id)
        locked = locked.with_for_update(read=not exclusive)
        return cast(datetime | None, (await self._session.execute(locked)).scalar_one())

    async def count_intake(self, batch_id: str) -> Intake:
        statement = (
            select(_versions.c.status, func.count())
            .select_from(
                _files.join(
                    _versions,
                    and_(
                        _versions.c.file_id == _files.c.id,
                        _versions.c.version == _files.c.current_version,
                    ),
                )
            )
            .where(_files.c.batch_id == batch_id, _files.c.deleted_at.is_(None))
            .group_by(_versions.c.status)
        )
        counts = {status: n for status, n in await self._session.execute(statement)}
        sealed = await self._session.execute(
            select(_intake.c.sealed_at).where(_intake.c.batch_id == batch_id)
        )
        return Intake(
            batch_id=batch_id,
            processing=counts.get(FileStatus.PROCESSING, 0),
            ready=counts.get(FileStatus.READY, 0),
            rejected=counts.get(FileStatus.REJECTED, 0),
            sealed_at=sealed.scalar_one_or_none(),
        )

    async def seal_intake(self, batch_id: str, at: datetime) -> None:
        await self._session.execute(
            update(_intake)
            .where(_intake.c.batch_id == batch_id, _intake.c.sealed_at.is_(None))
            .values(sealed_at=at)
        )


class PostgresFileUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.files = PostgresFileRepository(session)

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        await enqueue(
            self.session, messaging.outbox, method, url, json=body, idempotency_key=idempotency_key
        )

    async def schedule(self, kind: str, payload: dict[str, Any], dedup_key: str) -> None:
        await enqueue_job(self.session, messaging.jobs, kind, payload, dedup_key=dedup_key)
