"""A batch's intake: the seal the orchestrator asks for before it starts a batch, and the
shared hold every change to the batch's files keeps on it until that change commits.

The seal takes the batch's ``batch_intake`` row FOR UPDATE; an upload, a replacement or a
deletion holds it FOR SHARE from before it writes a file row until it commits. So a seal
waits for the changes in flight and counts them, and a change that comes after the seal is
refused: no file arrives after the count a pipeline was started on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from service_kit.clock import Clock
from services.file_service.domain import Intake, intake_closed
from services.file_service.protocols import FileUnitOfWork


async def hold_intake(uow: FileUnitOfWork, batch_id: str) -> None:
    """Hold the batch's intake row shared until the transaction ends; refuse a sealed batch.
    Call it inside the change's transaction and never ask a peer after it."""
    if await uow.files.lock_intake(batch_id, exclusive=False) is not None:
        raise intake_closed(batch_id)


@dataclass(frozen=True, slots=True)
class SealBatchIntakeCommand:
    batch_id: str


class SealBatchIntake:
    """The orchestrator's start: count the batch's files under the exclusive intake lock and,
    when every one has its final outcome (and one at least is an essay), close the batch to
    any further upload, replacement or deletion. Repeating it changes nothing."""

    def __init__(self, uow: FileUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: SealBatchIntakeCommand) -> Intake:
        uow = self._uow
        async with uow:
            await uow.files.lock_intake(command.batch_id, exclusive=True)
            intake = await uow.files.count_intake(command.batch_id)
            if intake.sealed_at is None and intake.sealable:
                stamp = self._clock.now()
                await uow.files.seal_intake(command.batch_id, stamp)
                intake = dataclasses.replace(intake, sealed_at=stamp)
            await uow.commit()
        return intake
