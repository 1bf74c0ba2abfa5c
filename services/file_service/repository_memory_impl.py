"""file_service storage in memory: the same contract, for unit tests."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service_kit.memory import MemoryUnitOfWork
from service_kit.pagination import keyset_page_of
from services.file_service.domain import FileStatus, FileVersion, FileView, Intake, StoredFile


@dataclass
class MemoryFileStore:
    files: dict[uuid.UUID, StoredFile] = field(default_factory=dict)
    versions: dict[tuple[uuid.UUID, int], tuple[FileVersion, bytes | None]] = field(
        default_factory=dict
    )
    calls: dict[str, tuple[str, str, Any]] = field(default_factory=dict)  # the outbox, by key
    jobs: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # by dedup key
    sealed: dict[str, datetime | None] = field(default_factory=dict)  # the intake rows


class MemoryFileRepository:
    def __init__(self, store: MemoryFileStore) -> None:
        self._store = store

    def _view(self, file: StoredFile) -> FileView:
        return FileView(file, self._store.versions[(file.id, file.current_version)][0])

    async def add(self, file: StoredFile, version: FileVersion, staged: bytes | None) -> None:
        self._store.files[file.id] = file
        self._store.versions[(file.id, version.version)] = (version, staged)

    async def get(self, file_id: uuid.UUID, *, for_update: bool = False) -> FileView | None:
        file = self._store.files.get(file_id)
        return None if file is None else self._view(file)

    async def get_version(
        self, file_id: uuid.UUID, version: int
    ) -> tuple[FileView, FileVersion, bytes | None] | None:
        file = self._store.files.get(file_id)
        found = self._store.versions.get((file_id, version))
        if file is None or found is None:
            return None
        return self._view(file), found[0], found[1]

    async def add_version(self, version: FileVersion, staged: bytes | None) -> None:
        self._store.versions[(version.file_id, version.version)] = (version, staged)
        file = self._store.files[version.file_id]
        self._store.files[file.id] = dataclasses.replace(
            file, current_version=version.version, updated_at=version.created_at
        )

    async def finish_version(self, version: FileVersion) -> bool:
        current, _ = self._store.versions[(version.file_id, version.version)]
        if current.status is not FileStatus.PROCESSING:
            return False
        self._store.versions[(version.file_id, version.version)] = (version, None)
        return True

    async def mark_deleted(self, file_id: uuid.UUID, at: datetime) -> bool:
        file = self._store.files.get(file_id)
        if file is None or file.deleted_at is not None:
            return False
        self._store.files[file_id] = dataclasses.replace(file, deleted_at=at, updated_at=at)
        return True

    async def list_for_batch(
        self,
        batch_id: str,
        *,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
        include_deleted: bool,
    ) -> list[FileView]:
        chosen = keyset_page_of(
            (
                f
                for f in self._store.files.values()
                if f.batch_id == batch_id and (include_deleted or f.deleted_at is None)
            ),
            lambda f: (f.created_at, f.id),
            after,
            limit,
        )
        return [self._view(f) for f in chosen]

    async def versions(self, file_id: uuid.UUID) -> list[FileVersion]:
        found = [v for (fid, _), (v, _) in self._store.versions.items() if fid == file_id]
        return sorted(found, key=lambda v: v.version)

    async def lock_intake(self, batch_id: str, *, exclusive: bool) -> datetime | None:
        # one event loop and no await inside a transaction's critical steps: nothing to lock
        return self._store.sealed.setdefault(batch_id, None)

    async def count_intake(self, batch_id: str) -> Intake:
        statuses = [
            self._view(f).version.status
            for f in self._store.files.values()
            if f.batch_id == batch_id and f.deleted_at is None
        ]
        return Intake(
            batch_id=batch_id,
            processing=statuses.count(FileStatus.PROCESSING),
            ready=statuses.count(FileStatus.READY),
            rejected=statuses.count(FileStatus.REJECTED),
            sealed_at=self._store.sealed.get(batch_id),
        )

    async def seal_intake(self, batch_id: str, at: datetime) -> None:
        if self._store.sealed.get(batch_id) is None:
            self._store.sealed[batch_id] = at


class MemoryFileUnitOfWork(MemoryUnitOfWork[MemoryFileStore]):
    def __init__(self, store: MemoryFileStore) -> None:
        super().__init__(store)
        self.files = MemoryFileRepository(store)

    async def schedule(self, kind: str, payload: dict[str, Any], dedup_key: str) -> None:
        self.store.jobs.setdefault(dedup_key, (kind, payload))
