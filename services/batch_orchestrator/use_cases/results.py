"""A batch's results table, as JSON figures or as a CSV file, at any status."""

from __future__ import annotations

from dataclasses import dataclass

from services.batch_orchestrator.domain import BatchResults, visible
from services.batch_orchestrator.protocols import OrchestratorUnitOfWork


@dataclass(frozen=True, slots=True)
class GetResultsCommand:
    batch_id: str
    caller: str | None


class GetResults:
    """The batch's results table with its accounting of every accepted file."""

    def __init__(self, uow: OrchestratorUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetResultsCommand) -> BatchResults:
        async with self._uow as uow:
            batch = visible(
                await uow.batches.get(command.batch_id), command.batch_id, command.caller
            )
            return BatchResults(batch, await uow.results.for_batch(command.batch_id))


@dataclass(frozen=True, slots=True)
class ExportResultsCsvCommand:
    batch_id: str
    caller: str | None


@dataclass(frozen=True, slots=True)
class ExportResultsCsvResult:
    filename: str
    text: str


class ExportResultsCsv:
    """The results table as a CSV file named after the batch."""

    def __init__(self, uow: OrchestratorUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ExportResultsCsvCommand) -> ExportResultsCsvResult:
        results = await GetResults(self._uow).execute(
            GetResultsCommand(command.batch_id, command.caller)
        )
        return ExportResultsCsvResult(
            filename=f"batch-{command.batch_id}-results.csv", text=results.as_csv()
        )
