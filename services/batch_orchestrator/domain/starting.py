"""When a pipeline may start: every file the batch accepted has its outcome at file_service
and essay_lifecycle has heard of each one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service_kit.errors import Conflict

# How soon a start refused for files still being read is worth trying again.
FILES_PENDING_RETRY_SECONDS = 2


@dataclass(frozen=True)
class Intake:
    """file_service's account of a batch's files (the source of truth for a start)."""

    sealed: bool
    files: int
    processing: int
    ready: int
    rejected: int


def start_refusal(batch_id: str, intake: Intake, essays_known: int) -> Conflict | None:
    """Why a pipeline may not start yet, or None. It starts only once every accepted file
    has its final outcome and essay_lifecycle has heard of every one of them, so that the
    pipeline covers every file the batch accepted."""
    if intake.processing:
        return Conflict(
            f"{intake.processing} of the batch's {intake.files} files are still being "
            "processed; start again when they are done",
            code="files_processing",
            files=intake.files,
            files_processing=intake.processing,
            retry_after=FILES_PENDING_RETRY_SECONDS,
        )
    if intake.ready == 0:
        return Conflict(
            f"batch {batch_id} has no essay ready"
            + (f": all {intake.files} files were rejected" if intake.files else ": upload files"),
            code="no_essays",
            files=intake.files,
            files_rejected=intake.rejected,
        )
    if essays_known != intake.files:
        return Conflict(
            f"essay_lifecycle has heard of {essays_known} of the batch's {intake.files} "
            "files so far; start again in a moment",
            code="files_processing",
            files=intake.files,
            files_processing=abs(intake.files - essays_known),
            retry_after=FILES_PENDING_RETRY_SECONDS,
        )
    return None


@dataclass(frozen=True)
class EssaySummary:
    """essay_lifecycle's summary of a batch's essays: the counts by status that the start
    reads, and its answer as it came (shown as the batch's ``essays``)."""

    by_status: dict[str, int]
    shown: dict[str, Any]

    @property
    def ready(self) -> int:
        return self.by_status.get("ready", 0)

    @property
    def rejected(self) -> int:
        """Essays whose file's content was refused: accepted files that never become essays."""
        return self.by_status.get("content_rejected", 0)
