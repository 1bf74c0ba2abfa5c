"""A batch's results table, as JSON figures (whole or a page at a time) or as a CSV file
streamed page by page, at any status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from service_kit.errors import InvalidInput
from service_kit.pagination import clamp_limit, decode_cursor, encode_cursor
from services.batch_orchestrator.domain import (
    Batch,
    BatchResults,
    EssayResult,
    ResultPosition,
    csv_text,
    result_position,
    result_row,
    visible,
)
from services.batch_orchestrator.protocols import OrchestratorUnitOfWork, UnitsOfWork

CSV_PAGE = 2000  # results read per transaction while a CSV streams


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


def _after(cursor: str | None) -> ResultPosition | None:
    if not cursor:
        return None
    rank, filename, essay_id = decode_cursor(cursor, 3)
    if not (isinstance(rank, int) and isinstance(filename, str) and isinstance(essay_id, str)):
        raise InvalidInput("the cursor is not one this service issued")
    return rank, filename, essay_id


@dataclass(frozen=True, slots=True)
class ListResultsCommand:
    batch_id: str
    caller: str | None
    limit: int | None = None
    cursor: str | None = None  # from the page before: where this one starts


@dataclass(frozen=True)
class ListResultsResult:
    """One page of the results table; ``accounting`` and the figures are the whole batch's."""

    results: BatchResults  # its essays: this page's
    total: int  # results in the whole table
    next_cursor: str | None  # None on the last page

    @property
    def accounting(self) -> dict[str, int | None]:
        figures = self.results.accounting
        accepted = figures["accepted_files"]
        rejected = int(figures["rejected_files"] or 0)
        unaccounted = 0 if accepted is None else max(accepted - self.total - rejected, 0)
        return {**figures, "results": self.total, "unaccounted_files": unaccounted}


class ListResults:
    """The results table a page at a time, in its order (ranked essays by rank, then the
    rest by filename): a batch of 100,000 essays does not fit in one answer."""

    def __init__(self, uow: OrchestratorUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListResultsCommand) -> ListResultsResult:
        limit = clamp_limit(command.limit)
        after = _after(command.cursor)
        async with self._uow as uow:
            batch = visible(
                await uow.batches.get(command.batch_id), command.batch_id, command.caller
            )
            found = await uow.results.page(command.batch_id, after=after, limit=limit + 1)
            total = await uow.results.count(command.batch_id)
        shown = found[:limit]
        cursor = encode_cursor(*result_position(shown[-1])) if len(found) > limit else None
        return ListResultsResult(BatchResults(batch, shown), total, cursor)


@dataclass(frozen=True, slots=True)
class ExportResultsCsvCommand:
    batch_id: str
    caller: str | None


@dataclass(frozen=True, slots=True)
class ExportResultsCsvResult:
    filename: str
    chunks: AsyncIterator[str]  # the header, then one chunk per page of results


class ExportResultsCsv:
    """The results table as a CSV file named after the batch, written while it is read: a
    unit of work per page of ``CSV_PAGE`` results, so neither the rows nor the file are ever
    held whole."""

    def __init__(self, units: UnitsOfWork) -> None:
        self._units = units

    async def execute(self, command: ExportResultsCsvCommand) -> ExportResultsCsvResult:
        async with self._units() as uow, uow:  # a 404 before the first byte, not mid-stream
            batch = visible(
                await uow.batches.get(command.batch_id), command.batch_id, command.caller
            )
        return ExportResultsCsvResult(
            filename=f"batch-{command.batch_id}-results.csv", chunks=self._chunks(batch)
        )

    async def _chunks(self, batch: Batch) -> AsyncIterator[str]:
        yield csv_text([], header=True)
        after: ResultPosition | None = None
        while True:
            async with self._units() as uow, uow:
                found: list[EssayResult] = await uow.results.page(
                    batch.id, after=after, limit=CSV_PAGE
                )
            if not found:
                return
            yield csv_text([result_row(r) for r in found], header=False)
            after = result_position(found[-1])
