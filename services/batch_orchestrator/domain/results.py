"""The batch's results table: one row per essay, its columns, the order, and the accounting
of every accepted file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.batch_orchestrator.domain.batches import Batch


@dataclass(frozen=True)
class EssayResult:
    essay_id: str
    batch_id: str
    file_id: str | None
    filename: str | None
    status: str
    spelling: dict[str, Any] | None
    corrected_text_content_id: str | None
    assessment: dict[str, Any] | None
    updated_at: datetime = field(kw_only=True)


def unaccounted_files(accepted_files: int | None, results: int, rejected: int) -> int:
    """Accepted files that are neither in the results nor rejected (0 for batches that
    started before the count was kept)."""
    if accepted_files is None:
        return 0
    return max(accepted_files - results - rejected, 0)


def accounting(batch: Batch, found: list[EssayResult]) -> dict[str, int | None]:
    """Every accepted file is in the results or among the rejected: the figures that say so."""
    summary = batch.results_summary
    accepted = summary.get("accepted_files")
    rejected = int(summary.get("rejected_essays", 0))
    return {
        "accepted_files": None if accepted is None else int(accepted),
        "results": len(found),
        "rejected_files": rejected,
        "unaccounted_files": unaccounted_files(
            None if accepted is None else int(accepted), len(found), rejected
        ),
    }


# the results table: one row per essay, these columns (the CSV's header, in this order)
RESULT_COLUMNS = (
    "essay_id",
    "filename",
    "status",
    "word_count",
    "error_count",
    "errors_per_100_words",
    "corrected_count",
    "flagged_count",
    "unknown_count",
    "score",
    "se",
    "rank",
    "grade",
)


# where a result stands in the table: ranked essays by rank, then the rest by filename
ResultPosition = tuple[int, str, str]
UNRANKED = 2**31 - 1  # after every rank


def result_position(result: EssayResult) -> ResultPosition:
    rank = (result.assessment or {}).get("rank")
    return (UNRANKED if rank is None else int(rank), result.filename or "", result.essay_id)


def csv_text(rows: list[dict[str, Any]], *, header: bool) -> str:
    """Rows of the results table as CSV (with its header line first, when asked)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RESULT_COLUMNS)
    if header:
        writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def result_row(result: EssayResult) -> dict[str, Any]:
    spelling, assessment = result.spelling or {}, result.assessment or {}
    return {
        "essay_id": result.essay_id,
        "filename": result.filename,
        "status": result.status,
        "word_count": spelling.get("word_count"),
        "error_count": spelling.get("error_count"),
        "errors_per_100_words": spelling.get("errors_per_100_words"),
        # issue 17: the errors written into the corrected text, those flagged but left as
        # written, and unknown words with no candidate (not in error_count)
        "corrected_count": spelling.get("corrected_count"),
        "flagged_count": spelling.get("flagged_count"),
        "unknown_count": spelling.get("unknown_count"),
        "score": assessment.get("score"),
        "se": assessment.get("se"),
        "rank": assessment.get("rank"),
        "grade": assessment.get("grade"),
    }


@dataclass(frozen=True)
class BatchResults:
    """A batch's results table: ranked essays first (by rank), the rest by filename."""

    batch: Batch
    essays: list[EssayResult]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return sorted(
            (result_row(r) for r in self.essays),
            key=lambda r: (r["rank"] is None, r["rank"] or 0, r["filename"] or ""),
        )

    @property
    def accounting(self) -> dict[str, int | None]:
        return accounting(self.batch, self.essays)

    @property
    def reliability(self) -> Any:
        return self.batch.results_summary.get("cj_assessment", {}).get("reliability")

    @property
    def comparisons(self) -> Any:
        return self.batch.results_summary.get("cj_assessment", {}).get("comparisons")

    def as_csv(self) -> str:
        return csv_text(self.rows, header=True)
