"""A batch's files once stored: read one, its versions, a page of the batch's files, and
delete one (soft; essay_lifecycle told it is withdrawn)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import NotFound
from service_kit.pagination import clamp_limit, page, position_after
from services.file_service.domain import EssayLifecycleUrls, FileVersion, FileView
from services.file_service.protocols import BatchGate, FileUnitOfWork
from services.file_service.use_cases.intake import hold_intake


async def find_file(
    uow: FileUnitOfWork, file_id: uuid.UUID, *, for_update: bool = False
) -> FileView:
    """The file with its current version, inside the caller's transaction; NotFound when it
    does not exist or is deleted. ``for_update`` locks the file row until the transaction
    ends: ask no peer after that."""
    view = await uow.files.get(file_id, for_update=for_update)
    if view is None or view.file.deleted_at is not None:
        raise NotFound(f"no file with id {file_id}")
    return view


async def batch_of(uow: FileUnitOfWork, file_id: uuid.UUID) -> str:
    """The batch a live file belongs to, read without a lock in a transaction of its own, so
    the orchestrator's gate can be asked about it before any row is locked."""
    async with uow:
        return (await find_file(uow, file_id)).file.batch_id


@dataclass(frozen=True, slots=True)
class GetFileCommand:
    file_id: uuid.UUID


class GetFile:
    def __init__(self, uow: FileUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetFileCommand) -> FileView:
        async with self._uow:
            return await find_file(self._uow, command.file_id)


@dataclass(frozen=True, slots=True)
class ListFileVersionsCommand:
    file_id: uuid.UUID


class ListFileVersions:
    """Every version of a live file, oldest first, each with its outcome."""

    def __init__(self, uow: FileUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListFileVersionsCommand) -> list[FileVersion]:
        async with self._uow:
            await find_file(self._uow, command.file_id)
            return await self._uow.files.versions(command.file_id)


@dataclass(frozen=True, slots=True)
class ListBatchFilesCommand:
    batch_id: str
    limit: int = 50
    cursor: str | None = None  # from the previous page's next_cursor
    include_deleted: bool = False


@dataclass(frozen=True, slots=True)
class ListBatchFilesResult:
    items: list[FileView]
    next_cursor: str | None


class ListBatchFiles:
    """A page of a batch's files in upload order (keyset on created_at, id)."""

    def __init__(self, uow: FileUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListBatchFilesCommand) -> ListBatchFilesResult:
        limit = clamp_limit(command.limit)
        after = position_after(command.cursor)
        async with self._uow:
            views = await self._uow.files.list_for_batch(
                command.batch_id,
                after=after,
                limit=limit + 1,
                include_deleted=command.include_deleted,
            )
        shown, cursor = page(views, limit, lambda v: (v.file.created_at, v.file.id))
        return ListBatchFilesResult(items=shown, next_cursor=cursor)


@dataclass(frozen=True, slots=True)
class DeleteFileCommand:
    file_id: uuid.UUID


class DeleteFile:
    """Soft delete; essay_lifecycle is told the file is withdrawn.

    The orchestrator's gate is asked before the file row is locked, never while it is held."""

    def __init__(
        self,
        uow: FileUnitOfWork,
        gate: BatchGate,
        essay_lifecycle: EssayLifecycleUrls,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._gate = gate
        self._essay_lifecycle = essay_lifecycle
        self._clock = clock

    async def execute(self, command: DeleteFileCommand) -> None:
        uow, file_id = self._uow, command.file_id
        await self._gate.ensure_open(await batch_of(uow, file_id))
        async with uow:
            current = await find_file(uow, file_id, for_update=True)
            batch_id = current.file.batch_id
            await hold_intake(uow, batch_id)
            await uow.files.mark_deleted(file_id, self._clock.now())
            await uow.call_peer(
                "DELETE",
                self._essay_lifecycle.file(batch_id, file_id),
                None,
                f"file:{file_id}:deleted",
            )
            await uow.commit()
