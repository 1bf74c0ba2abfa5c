"""The use cases over one storage, as the tests drive them: a fresh unit of work per call,
as the container gives one per request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from service_kit.clock import Clock, SystemClock
from services.essay_lifecycle.config import PeerUrls
from services.essay_lifecycle.domain import (
    Applied,
    Batch,
    BatchSummary,
    Essay,
    Phase,
    PhaseRun,
    TimelineEvent,
)
from services.essay_lifecycle.protocols import EssaySettler, EssayUnitOfWork
from services.essay_lifecycle.use_cases import (
    ApplyAssessmentResult,
    ApplyAssessmentResultCommand,
    ApplySpellcheckResult,
    ApplySpellcheckResultCommand,
    CancelBatch,
    CancelBatchCommand,
    ForgetDeletedFile,
    ForgetDeletedFileCommand,
    GetBatchSummary,
    GetBatchSummaryCommand,
    GetEssay,
    GetEssayCommand,
    GetTimeline,
    GetTimelineCommand,
    ListEssays,
    ListEssaysCommand,
    ListEssaysResult,
    RecordFileNotice,
    RecordFileNoticeCommand,
    RecordFileNoticeResult,
    RegisterBatch,
    RegisterBatchCommand,
    StartPhase,
    StartPhaseCommand,
)

PEERS = PeerUrls("http://els", "http://spell", "http://cj")


class Els:
    def __init__(
        self,
        uow: Callable[[], EssayUnitOfWork],
        settler: EssaySettler,
        clock: Clock | None = None,
    ) -> None:
        self.uow = uow
        self.settler = settler
        self.clock = clock or SystemClock()

    async def register(
        self, batch_id: str, language: str = "en", count: int | None = None
    ) -> Batch:
        command = RegisterBatchCommand(batch_id, language, "http://bos", count)
        return await RegisterBatch(self.uow(), self.clock).execute(command)

    async def notice(
        self, batch_id: str, file_id: str, filename: str, *args: Any, **kwargs: Any
    ) -> RecordFileNoticeResult:
        command = RecordFileNoticeCommand(batch_id, file_id, filename, *args, **kwargs)
        return await RecordFileNotice(self.uow(), self.clock).execute(command)

    async def forget(self, batch_id: str, file_id: str) -> Essay | None:
        return await ForgetDeletedFile(self.uow(), self.clock).execute(
            ForgetDeletedFileCommand(batch_id, file_id)
        )

    async def start(self, batch_id: str, phase: Phase, **kwargs: Any) -> PhaseRun:
        command = StartPhaseCommand(batch_id, phase, **kwargs)
        return await StartPhase(self.uow(), PEERS, self.clock).execute(command)

    async def spellchecked(
        self, essay_id: uuid.UUID, attempt: int, succeeded: bool, **kwargs: Any
    ) -> Applied:
        command = ApplySpellcheckResultCommand(essay_id, attempt, succeeded, **kwargs)
        return await ApplySpellcheckResult(self.uow(), self.settler, self.clock).execute(command)

    async def assessed(
        self, batch_id: str, attempt: int, succeeded: bool, **kwargs: Any
    ) -> Applied:
        command = ApplyAssessmentResultCommand(batch_id, attempt, succeeded, **kwargs)
        return await ApplyAssessmentResult(self.uow(), self.clock).execute(command)

    async def cancel(self, batch_id: str) -> int:
        result = await CancelBatch(self.uow(), self.clock).execute(CancelBatchCommand(batch_id))
        return result.cancelled

    async def essay(self, essay_id: uuid.UUID) -> Essay:
        return await GetEssay(self.uow()).execute(GetEssayCommand(essay_id))

    async def timeline(self, essay_id: uuid.UUID) -> list[TimelineEvent]:
        return await GetTimeline(self.uow()).execute(GetTimelineCommand(essay_id))

    async def essays(self, batch_id: str, **kwargs: Any) -> list[Essay]:
        return (await self.essays_page(batch_id, **kwargs)).essays

    async def essays_page(self, batch_id: str, **kwargs: Any) -> ListEssaysResult:
        return await ListEssays(self.uow()).execute(ListEssaysCommand(batch_id, **kwargs))

    async def summary(self, batch_id: str) -> BatchSummary:
        return await GetBatchSummary(self.uow()).execute(GetBatchSummaryCommand(batch_id))
