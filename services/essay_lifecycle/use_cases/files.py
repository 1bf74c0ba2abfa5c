"""Files: file_service announces each file (ready or rejected) and tells of deleted ones."""

from __future__ import annotations

from dataclasses import dataclass

from service_kit.clock import Clock
from services.essay_lifecycle import metrics
from services.essay_lifecycle.domain import (
    ACTIVE,
    TERMINAL,
    TRANSITIONS,
    Essay,
    Event,
    apply,
    new_essay,
)
from services.essay_lifecycle.protocols import EssayUnitOfWork
from services.essay_lifecycle.use_cases.phase_outcomes import count_out
from services.essay_lifecycle.use_cases.transitions import save


@dataclass(frozen=True, slots=True)
class RecordFileNoticeCommand:
    """What file_service says about one file: ready (text ids) or rejected (error)."""

    batch_id: str
    file_id: str
    filename: str
    version: int = 1
    text_content_id: str | None = None
    raw_content_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordFileNoticeResult:
    essay: Essay
    changed: bool  # a new essay, or a newer version of its file taken


class RecordFileNotice:
    """One essay per file and batch, however often the notice comes. A newer version of the
    file replaces the text while no phase has started. A batch not registered yet gets a
    bare row, so files may arrive before the orchestrator's registration."""

    def __init__(self, uow: EssayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: RecordFileNoticeCommand) -> RecordFileNoticeResult:
        batch_id, notice, now = command.batch_id, command, self._clock.now()
        async with self._uow as uow:
            await uow.batches.ensure(batch_id, now)
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
                    correlation_id=command.correlation_id,
                    at=now,
                )
                if await uow.essays.add(created):
                    await uow.commit()
                    metrics.TRANSITIONS.labels("file_received").inc()
                    return RecordFileNoticeResult(created.essay, True)
                # a twin notice won the insert race: fall through to the row it made
                existing = await uow.essays.by_file(batch_id, notice.file_id, for_update=True)
                assert existing is not None
            if notice.version <= existing.file_version:
                return RecordFileNoticeResult(existing, False)
            event = Event.FILE_REJECTED if notice.error_code else Event.FILE_REPLACED
            if (existing.status, event) not in TRANSITIONS:
                # work on this essay has started: its text is final (file_service refuses
                # changes once the orchestrator says the pipeline started; this covers a late
                # notice)
                return RecordFileNoticeResult(existing, False)
            essay = await save(
                uow,
                apply(
                    existing,
                    event,
                    at=now,
                    details={"file_version": notice.version, "error_code": notice.error_code},
                    correlation_id=command.correlation_id,
                    file_version=notice.version,
                    filename=notice.filename,
                    text_content_id=notice.text_content_id,
                    raw_content_id=notice.raw_content_id,
                    error_code=notice.error_code,
                    error_message=notice.error_message,
                ),
            )
            await uow.commit()
        return RecordFileNoticeResult(essay, True)


@dataclass(frozen=True, slots=True)
class ForgetDeletedFileCommand:
    batch_id: str
    file_id: str
    correlation_id: str | None = None


class ForgetDeletedFile:
    """The file was deleted: its essay is cancelled (nothing happens when the file is unknown
    or its essay already final). If that was the last open essay of a phase attempt, the
    attempt reports its outcome. Returns the essay (None for an unknown file)."""

    def __init__(self, uow: EssayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: ForgetDeletedFileCommand) -> Essay | None:
        now = self._clock.now()
        async with self._uow as uow:
            essay = await uow.essays.by_file(command.batch_id, command.file_id, for_update=True)
            if essay is None or essay.status in TERMINAL:
                return essay
            was_open = essay.phase is not None and essay.status in ACTIVE[essay.phase]
            cancelled = await save(
                uow,
                apply(
                    essay,
                    Event.CANCEL,
                    at=now,
                    details={"reason": "file deleted"},
                    correlation_id=command.correlation_id,
                ),
            )
            if was_open and essay.phase is not None and essay.phase_attempt is not None:
                run = await uow.runs.get(command.batch_id, essay.phase, essay.phase_attempt)
                if run is not None:
                    await count_out(uow, run, 1, now)
            await uow.commit()
        return cancelled
