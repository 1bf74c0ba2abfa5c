"""essay_lifecycle use cases for batches, files and reads. No HTTP, no SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service_kit.errors import NotFound
from services.essay_lifecycle import metrics
from services.essay_lifecycle.domain import (
    ACTIVE,
    TERMINAL,
    TRANSITIONS,
    Batch,
    BatchSummary,
    Essay,
    EssayStatus,
    Event,
    TimelineEvent,
    Transition,
    apply,
    new_essay,
)
from services.essay_lifecycle.protocols import EssayUnitOfWork


@dataclass(frozen=True)
class FileNotice:
    """What file_service says about one file: ready (text ids) or rejected (error)."""

    file_id: str
    filename: str
    version: int = 1
    text_content_id: str | None = None
    raw_content_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None


async def save(uow: EssayUnitOfWork, transition: Transition) -> Essay:
    await uow.essays.save(transition)
    metrics.TRANSITIONS.labels(transition.event.event).inc()
    return transition.essay


async def register_batch(uow: EssayUnitOfWork, batch: Batch) -> Batch:
    async with uow:
        await uow.batches.register(batch)
        stored = await uow.batches.get(batch.id)
        await uow.commit()
    assert stored is not None
    return stored


async def receive_file(
    uow: EssayUnitOfWork, batch_id: str, notice: FileNotice, correlation_id: str | None
) -> tuple[Essay, bool]:
    """One essay per file and batch, however often the notification comes. A newer version
    of the file replaces the text while no phase has started. Returns (essay, changed)."""
    async with uow:
        await uow.batches.ensure(batch_id)
        batch = await uow.batches.get(batch_id)
        existing = await uow.essays.by_file(batch_id, notice.file_id, for_update=True)
        if existing is None:
            created = new_essay(
                batch_id,
                notice.file_id,
                notice.filename,
                language=batch.language if batch else None,
                file_version=notice.version,
                text_content_id=notice.text_content_id,
                raw_content_id=notice.raw_content_id,
                error_code=notice.error_code,
                error_message=notice.error_message,
                correlation_id=correlation_id,
            )
            if await uow.essays.add(created):
                await uow.commit()
                metrics.TRANSITIONS.labels("file_received").inc()
                return created.essay, True
            # a twin notification won the insert race: fall through to the row it made
            existing = await uow.essays.by_file(batch_id, notice.file_id, for_update=True)
            assert existing is not None
        if notice.version <= existing.file_version:
            return existing, False
        event = Event.FILE_REJECTED if notice.error_code else Event.FILE_REPLACED
        if (existing.status, event) not in TRANSITIONS:
            # work on this essay has started: its text is final (file_service refuses changes
            # once the orchestrator says the pipeline started; this covers a late notice)
            return existing, False
        essay = await save(
            uow,
            apply(
                existing,
                event,
                details={"file_version": notice.version, "error_code": notice.error_code},
                correlation_id=correlation_id,
                file_version=notice.version,
                filename=notice.filename,
                text_content_id=notice.text_content_id,
                raw_content_id=notice.raw_content_id,
                error_code=notice.error_code,
                error_message=notice.error_message,
            ),
        )
        await uow.commit()
        return essay, True


async def get_essay(uow: EssayUnitOfWork, essay_id: uuid.UUID) -> Essay:
    async with uow:
        essay = await uow.essays.get(essay_id)
    if essay is None:
        raise NotFound(f"no essay with id {essay_id}")
    return essay


async def timeline(uow: EssayUnitOfWork, essay_id: uuid.UUID) -> list[TimelineEvent]:
    async with uow:
        if await uow.essays.get(essay_id) is None:
            raise NotFound(f"no essay with id {essay_id}")
        return await uow.essays.timeline(essay_id)


async def list_essays(
    uow: EssayUnitOfWork,
    batch_id: str,
    *,
    status: EssayStatus | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Essay]:
    async with uow:
        return await uow.essays.page(batch_id, status=status, after=after, limit=limit)


async def summary(uow: EssayUnitOfWork, batch_id: str) -> BatchSummary:
    async with uow:
        batch = await uow.batches.get(batch_id)
        if batch is None:
            raise NotFound(f"no batch {batch_id}")
        counts = await uow.essays.count_by_status(batch_id)
        runs = await uow.runs.for_batch(batch_id)
        phases: list[dict[str, Any]] = []
        for run in runs:
            members = await uow.essays.in_run(batch_id, run.phase, run.attempt)
            done = sum(1 for e in members if e.status not in ACTIVE[run.phase])
            phases.append(
                {
                    "phase": run.phase.value,
                    "attempt": run.attempt,
                    "status": run.status.value,
                    "essays": run.essay_count,
                    "finished": done,
                }
            )
    return BatchSummary(
        batch_id=batch_id,
        total=sum(counts.values()),
        by_status={status.value: n for status, n in counts.items()},
        terminal=sum(n for status, n in counts.items() if status in TERMINAL),
        expected_essay_count=batch.expected_essay_count,
        phases=phases,
    )
