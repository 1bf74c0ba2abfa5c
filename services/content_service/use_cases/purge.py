"""Purge: remove blobs that no live document references, once past a grace period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from service_kit.clock import Clock
from services.content_service.domain import PurgeReport
from services.content_service.protocols import ContentUnitOfWork


@dataclass(frozen=True, slots=True)
class PurgeBlobsCommand:
    grace: timedelta  # a blob younger than this may be about to get its document


class PurgeBlobs:
    def __init__(self, uow: ContentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: PurgeBlobsCommand) -> PurgeReport:
        async with self._uow as uow:
            report = await uow.blobs.purge_unreferenced(self._clock.now() - command.grace)
            await uow.commit()
        return report
