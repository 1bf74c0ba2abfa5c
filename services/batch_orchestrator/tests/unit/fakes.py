"""Hand-written stand-ins for the peer ports (same contract as peers.py), and the time the
unit tests run at."""

from __future__ import annotations

from datetime import UTC, datetime

from services.batch_orchestrator.domain import EssaySummary, Intake

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class Counts:
    """essay_lifecycle's summary: essays by status, or None (it cannot answer)."""

    def __init__(self, by_status: dict[str, int] | None) -> None:
        self.by_status = by_status
        self.asked: list[str] = []

    async def summary(self, batch_id: str) -> EssaySummary | None:
        self.asked.append(batch_id)
        if self.by_status is None:
            return None
        shown = {"batch_id": batch_id, "total": sum(self.by_status.values())}
        return EssaySummary(self.by_status, {**shown, "by_status": self.by_status})


class Files:
    """file_service's seal: ``processing`` files still being read, ``ready`` essays."""

    def __init__(self, ready: int, processing: int = 0, rejected: int = 0) -> None:
        self.intake = Intake(
            sealed=processing == 0 and ready > 0,
            files=ready + processing + rejected,
            processing=processing,
            ready=ready,
            rejected=rejected,
        )
        self.reachable = True

    async def seal(self, batch_id: str) -> Intake | None:
        return self.intake if self.reachable else None
