"""The ranking of an assessment a page at a time, as JSON pages or one streamed CSV file:
100,000 essays fit neither in one JSON answer nor in one string in memory (issue 16)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from service_kit.errors import InvalidInput, NotFound
from service_kit.pagination import clamp_limit, decode_cursor, encode_cursor
from services.cj_assessment.domain import AssessmentEssay, GradeProjection
from services.cj_assessment.protocols import AssessmentUnitOfWork, UnitsOfWork

CSV_PAGE = 2000  # essays read per transaction while a CSV streams
CSV_COLUMNS = ["rank", "essay_id", "score", "se", "comparisons", "grade", "anchor", "anchor_grade"]


@dataclass(frozen=True)
class RankedEssay:
    essay: AssessmentEssay  # its figures as of the last fit
    projection: GradeProjection | None


def _after(cursor: str | None) -> int | None:
    if not cursor:
        return None
    (rank,) = decode_cursor(cursor, 1)
    if not isinstance(rank, int):
        raise InvalidInput("the cursor is not one this service issued")
    return rank


async def _page(
    uow: AssessmentUnitOfWork, assessment_id: uuid.UUID, after: int | None, limit: int
) -> list[RankedEssay]:
    essays = await uow.assessments.ranked(assessment_id, after_rank=after, limit=limit)
    projections = {
        p.essay_id: p
        for p in await uow.assessments.projections(assessment_id, [e.essay_id for e in essays])
    }
    return [RankedEssay(e, projections.get(e.essay_id)) for e in essays]


async def _exists(uow: AssessmentUnitOfWork, assessment_id: uuid.UUID) -> None:
    if await uow.assessments.get(assessment_id) is None:
        raise NotFound(f"no assessment with id {assessment_id}")


@dataclass(frozen=True, slots=True)
class ListRankingCommand:
    assessment_id: uuid.UUID
    limit: int | None = None
    cursor: str | None = None  # from the page before: where this one starts


@dataclass(frozen=True, slots=True)
class ListRankingResult:
    items: list[RankedEssay]
    next_cursor: str | None  # None on the last page


class ListRanking:
    """One page of the ranking, best first, as of the last fit."""

    def __init__(self, uow: AssessmentUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListRankingCommand) -> ListRankingResult:
        limit = clamp_limit(command.limit)
        after = _after(command.cursor)
        async with self._uow as uow:
            await _exists(uow, command.assessment_id)
            found = await _page(uow, command.assessment_id, after, limit + 1)
        shown = found[:limit]
        more = len(found) > limit
        cursor = encode_cursor(shown[-1].essay.rank) if more and shown else None
        return ListRankingResult(shown, cursor)


@dataclass(frozen=True, slots=True)
class ExportRankingCsvCommand:
    assessment_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class ExportRankingCsvResult:
    filename: str
    chunks: AsyncIterator[str]  # the header, then one chunk per page of essays


class ExportRankingCsv:
    """The whole ranking as CSV, written while it is read: a unit of work per page of
    ``CSV_PAGE`` essays, so neither the rows nor the file are ever held whole."""

    def __init__(self, units: UnitsOfWork) -> None:
        self._units = units

    async def execute(self, command: ExportRankingCsvCommand) -> ExportRankingCsvResult:
        async with self._units() as uow:  # a 404 before the first byte, not mid-stream
            await _exists(uow, command.assessment_id)
        return ExportRankingCsvResult(
            f"assessment-{command.assessment_id}-ranking.csv", self._chunks(command.assessment_id)
        )

    async def _chunks(self, assessment_id: uuid.UUID) -> AsyncIterator[str]:
        yield _csv([CSV_COLUMNS])
        after: int | None = None
        while True:
            async with self._units() as uow, uow:
                found = await _page(uow, assessment_id, after, CSV_PAGE)
            if not found:
                return
            yield _csv(_row(r) for r in found)
            after = found[-1].essay.rank


def _row(ranked: RankedEssay) -> list[object]:
    e, p = ranked.essay, ranked.projection
    return [
        e.rank,
        e.essay_id,
        e.score,
        e.se,
        e.comparisons,
        p.grade if p else "",
        "yes" if e.extra_anchor else "",
        e.anchor_grade or "",
    ]


def _csv(rows: object) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)  # type: ignore[arg-type]
    return out.getvalue()
