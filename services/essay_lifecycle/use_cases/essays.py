"""Reading essays: one essay, its timeline, a batch's essays page by page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service_kit.errors import NotFound
from service_kit.pagination import clamp_limit, page, position_after
from services.essay_lifecycle.domain import Essay, EssayStatus, TimelineEvent
from services.essay_lifecycle.protocols import EssayUnitOfWork


@dataclass(frozen=True, slots=True)
class GetEssayCommand:
    essay_id: uuid.UUID


class GetEssay:
    def __init__(self, uow: EssayUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetEssayCommand) -> Essay:
        async with self._uow as uow:
            essay = await uow.essays.get(command.essay_id)
        if essay is None:
            raise NotFound(f"no essay with id {command.essay_id}")
        return essay


@dataclass(frozen=True, slots=True)
class GetTimelineCommand:
    essay_id: uuid.UUID


class GetTimeline:
    """Every transition of one essay, in order (its version is the timeline's length)."""

    def __init__(self, uow: EssayUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetTimelineCommand) -> list[TimelineEvent]:
        async with self._uow as uow:
            if await uow.essays.get(command.essay_id) is None:
                raise NotFound(f"no essay with id {command.essay_id}")
            return await uow.essays.timeline(command.essay_id)


@dataclass(frozen=True, slots=True)
class ListEssaysCommand:
    batch_id: str
    status: EssayStatus | None = None
    limit: int | None = None
    cursor: str | None = None  # from the previous page's ``next_cursor``


@dataclass(frozen=True, slots=True)
class ListEssaysResult:
    essays: list[Essay]
    next_cursor: str | None


class ListEssays:
    """A batch's essays by (created_at, id), optionally of one status, one page at a time."""

    def __init__(self, uow: EssayUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListEssaysCommand) -> ListEssaysResult:
        limit = clamp_limit(command.limit)
        after = position_after(command.cursor)
        async with self._uow as uow:
            essays = await uow.essays.page(
                command.batch_id, status=command.status, after=after, limit=limit + 1
            )
        shown, cursor = page(essays, limit, lambda e: (e.created_at, e.id))
        return ListEssaysResult(shown, cursor)
