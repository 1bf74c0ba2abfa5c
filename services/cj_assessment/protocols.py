"""The contracts cj_assessment's use cases hold their adapters to."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from service_kit.unit_of_work import OutboxUnitOfWork
from services.cj_assessment.domain import (
    Assessment,
    AssessmentEssay,
    Comparison,
    GradeProjection,
    JudgeRecord,
)


@dataclass(frozen=True)
class EssayFit:
    """One essay's place on the scale after a fit."""

    essay_id: str
    score: float
    se: float
    rank: int
    comparisons: int


class AssessmentRepository(Protocol):
    async def add(self, assessment: Assessment, essays: Sequence[AssessmentEssay]) -> None: ...

    async def get(
        self, assessment_id: uuid.UUID, *, for_update: bool = False, for_share: bool = False
    ) -> Assessment | None:
        """With ``for_update`` the row stays locked until the transaction ends (a fit is
        written one at a time per assessment); with ``for_share`` it cannot change until then
        but others may share it (verdicts, which must not land on a finished assessment)."""
        ...

    async def update(self, assessment: Assessment, *, expected_version: int) -> bool:
        """Compare-and-set on ``version``; False when someone else changed it first."""
        ...

    async def list_for_batch(
        self, batch_id: str | None, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Assessment]: ...

    async def essays(
        self, assessment_id: uuid.UUID, *, with_texts: bool = False
    ) -> list[AssessmentEssay]:
        """In request order; ``text`` is None unless asked for (texts can be large)."""
        ...

    async def texts(self, assessment_id: uuid.UUID, essay_ids: Sequence[str]) -> dict[str, str]:
        """The texts of the given essays (those that have one)."""
        ...

    async def set_texts(self, assessment_id: uuid.UUID, texts: dict[str, str]) -> None: ...

    async def comparisons(self, assessment_id: uuid.UUID) -> list[Comparison]: ...

    async def pair(self, assessment_id: uuid.UUID, pair_id: uuid.UUID) -> list[Comparison]:
        """Every row of one pair (it has more than one once its lease was handed on)."""
        ...

    async def add_comparisons(self, comparisons: Sequence[Comparison]) -> None: ...

    async def answer(self, comparison: Comparison) -> bool:
        """Record a verdict on a leased row; False if it was no longer leased."""
        ...

    async def save_fit(
        self,
        assessment_id: uuid.UUID,
        fits: Sequence[EssayFit],
        judges: Sequence[JudgeRecord],
        projections: Sequence[GradeProjection],
    ) -> None:
        """Replace the assessment's current scale, judge report and grade projections."""
        ...

    async def judges(self, assessment_id: uuid.UUID) -> list[JudgeRecord]: ...

    # -- handing out pairs to people without the assessment's lock (runs/pair_queue.py) --

    async def lock(self, assessment_id: uuid.UUID, name: str) -> None:
        """Hold a lock on ``name`` within this assessment until the transaction ends (one
        hand-out per judge at a time, one lease decision per pair of essays at a time)."""
        ...

    async def held(
        self, assessment_id: uuid.UUID, judge_id: str, at: datetime
    ) -> Comparison | None:
        """The pair this judge holds a live lease on, if any."""
        ...

    async def lapsed(
        self, assessment_id: uuid.UUID, judge_id: str, at: datetime, limit: int
    ) -> list[Comparison]:
        """Pairs handed out whose every lease has run out unanswered and that this judge has
        never been shown, oldest first (one row of each)."""
        ...

    async def pair_leased(self, assessment_id: uuid.UUID, pair_key: str, at: datetime) -> bool:
        """Whether someone holds a live lease on these two essays."""
        ...

    async def claim_queued(self, assessment_id: uuid.UUID, judge_id: str) -> tuple[str, str] | None:
        """Mark claimed and return the first unclaimed pair of the newest generation that this
        judge has never been shown, skipping pairs other transactions are claiming."""
        ...

    async def unclaimed(self, assessment_id: uuid.UUID, judge_id: str) -> int:
        """How many pairs of the newest generation this judge could still claim."""
        ...

    async def queue_pairs(self, assessment_id: uuid.UUID, pairs: Sequence[tuple[str, str]]) -> int:
        """Store ``pairs`` as a new generation (the newest, so the one claimed from); returns
        its number."""
        ...

    async def drop_queue(self, assessment_id: uuid.UUID, *, before: int | None = None) -> None:
        """Forget the generations older than ``before`` (all of them when None)."""
        ...

    async def projections(
        self, assessment_id: uuid.UUID, essay_ids: Sequence[str] | None = None
    ) -> list[GradeProjection]:
        """The grade projections (of the given essays only, when given)."""
        ...

    async def ranked(
        self, assessment_id: uuid.UUID, *, after_rank: int | None, limit: int
    ) -> list[AssessmentEssay]:
        """Up to ``limit`` ranked essays by rank, after ``after_rank`` (texts left out)."""
        ...


class ProcessedRequests(Protocol):
    """The inbox: the answer given to a request that carried an Idempotency-Key."""

    async def claim(self, key: str, scope: str) -> dict[str, Any] | None:
        """None: this request owns the key. Otherwise the first request's answer."""
        ...

    async def record(self, key: str, scope: str, answer: dict[str, Any]) -> None: ...


class AssessmentUnitOfWork(OutboxUnitOfWork, Protocol):
    """Repository, inbox, outbox and job queue in one transaction, rolled back unless
    committed."""

    @property
    def assessments(self) -> AssessmentRepository: ...

    @property
    def requests(self) -> ProcessedRequests: ...

    async def schedule(self, kind: str, payload: dict[str, Any], dedup_key: str) -> None:
        """Run this job once the transaction commits (the job queue)."""
        ...


class UnitsOfWork(Protocol):
    """A new unit of work each call, for work that outlives one request's (a CSV streamed
    page by page, a refit shared between verdicts)."""

    def __call__(self) -> AbstractAsyncContextManager[AssessmentUnitOfWork]: ...


class ContentFetcher(Protocol):
    """content_service, as cj_assessment needs it. Raises ContentMissing (it will never
    have that content) or ContentUnavailable (try again later)."""

    async def fetch_text(self, content_id: str) -> str: ...


@dataclass(frozen=True)
class Verdict:
    winner: str  # "a" or "b"
    confidence: float | None = None
    justification: str | None = None


class PairJudge(Protocol):
    """An automated judge. Raises JudgingFailed when it cannot give a verdict."""

    @property
    def judge_id(self) -> str: ...

    async def judge(self, instructions: str | None, text_a: str, text_b: str) -> Verdict: ...


class ContentMissing(Exception):
    """content_service does not have the content (or refuses to give it): never retried."""


class ContentUnavailable(Exception):
    """content_service could not answer now: the job tries again later."""


class JudgingFailed(Exception):
    """An automated judge gave no usable verdict after its retries."""
