"""cj_assessment storage on PostgreSQL, with the shared outbox, inbox and job queue."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import SqlAlchemyUnitOfWork
from service_kit.errors import Conflict
from service_kit.messaging import inbox
from service_kit.messaging.jobs import enqueue_job
from service_kit.messaging.outbox import enqueue
from service_kit.pagination import keyset_after
from services.cj_assessment.domain import (
    Assessment,
    AssessmentEssay,
    Comparison,
    ComparisonStatus,
    GradeProjection,
    JudgeKind,
    JudgeRecord,
    pair_key,
)
from services.cj_assessment.models_db import (
    AssessmentEssayRow,
    AssessmentRow,
    ComparisonRow,
    GradeProjectionRow,
    JudgeRow,
    PairQueueRow,
    messaging,
)
from services.cj_assessment.protocols import EssayFit

_assessments = cast(Table, AssessmentRow.__table__)
_essays = cast(Table, AssessmentEssayRow.__table__)
_comparisons = cast(Table, ComparisonRow.__table__)
_judges = cast(Table, JudgeRow.__table__)
_projections = cast(Table, GradeProjectionRow.__table__)
_queue = cast(Table, PairQueueRow.__table__)


def _fields(kind: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(kind)]


_ASSESSMENT = _fields(Assessment)
_ESSAY = _fields(AssessmentEssay)
_COMPARISON = _fields(Comparison)
_JUDGE = _fields(JudgeRecord)
_PROJECTION = _fields(GradeProjection)


def _build(kind: type[Any], names: list[str], row: Any) -> Any:
    return kind(**{name: getattr(row, name) for name in names})


def _columns(table: Table, names: list[str]) -> list[Any]:
    return [table.c[name] for name in names]


class PostgresAssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, assessment: Assessment, essays: Sequence[AssessmentEssay]) -> None:
        await self._session.execute(insert(_assessments).values(**dataclasses.asdict(assessment)))
        await self._session.execute(insert(_essays), [dataclasses.asdict(e) for e in essays])

    async def get(
        self, assessment_id: uuid.UUID, *, for_update: bool = False, for_share: bool = False
    ) -> Assessment | None:
        statement = select(*_columns(_assessments, _ASSESSMENT)).where(
            _assessments.c.id == assessment_id
        )
        if for_update:
            statement = statement.with_for_update()
        elif for_share:
            statement = statement.with_for_update(read=True)
        row = (await self._session.execute(statement)).first()
        return None if row is None else _build(Assessment, _ASSESSMENT, row)

    async def update(self, assessment: Assessment, *, expected_version: int) -> bool:
        values = dataclasses.asdict(assessment)
        for key in ("id", "created_at", "version"):
            del values[key]
        result = await self._session.execute(
            update(_assessments)
            .where(_assessments.c.id == assessment.id, _assessments.c.version == expected_version)
            .values(**values, version=expected_version + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list_for_batch(
        self, batch_id: str | None, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Assessment]:
        statement = select(*_columns(_assessments, _ASSESSMENT))
        if batch_id is not None:
            statement = statement.where(_assessments.c.batch_id == batch_id)
        statement = statement.where(
            *keyset_after(_assessments.c.created_at, _assessments.c.id, after)
        )
        statement = statement.order_by(_assessments.c.created_at, _assessments.c.id).limit(limit)
        return [_build(Assessment, _ASSESSMENT, r) for r in await self._session.execute(statement)]

    async def essays(
        self, assessment_id: uuid.UUID, *, with_texts: bool = False
    ) -> list[AssessmentEssay]:
        names = _ESSAY if with_texts else [n for n in _ESSAY if n != "text"]
        rows = await self._session.execute(
            select(*_columns(_essays, names))
            .where(_essays.c.assessment_id == assessment_id)
            .order_by(_essays.c.ordinal)
        )
        return [_build(AssessmentEssay, names, r) for r in rows]

    async def texts(self, assessment_id: uuid.UUID, essay_ids: Sequence[str]) -> dict[str, str]:
        rows = await self._session.execute(
            select(_essays.c.essay_id, _essays.c.text).where(
                _essays.c.assessment_id == assessment_id,
                _essays.c.essay_id.in_(list(essay_ids)),
                _essays.c.text.is_not(None),
            )
        )
        return {r.essay_id: r.text for r in rows}

    async def set_texts(self, assessment_id: uuid.UUID, texts: dict[str, str]) -> None:
        if not texts:
            return
        await self._session.execute(
            update(_essays)
            .where(
                _essays.c.assessment_id == bindparam("aid"),
                _essays.c.essay_id == bindparam("eid"),
            )
            .values(text=bindparam("new_text")),
            [{"aid": assessment_id, "eid": k, "new_text": v} for k, v in texts.items()],
        )

    async def comparisons(self, assessment_id: uuid.UUID) -> list[Comparison]:
        rows = await self._session.execute(
            select(*_columns(_comparisons, _COMPARISON))
            .where(_comparisons.c.assessment_id == assessment_id)
            # a round shares one timestamp: the ids keep the order (and so every refit) stable
            .order_by(_comparisons.c.created_at, _comparisons.c.pair_id, _comparisons.c.judge_id)
        )
        return [_build(Comparison, _COMPARISON, r) for r in rows]

    async def pair(self, assessment_id: uuid.UUID, pair_id: uuid.UUID) -> list[Comparison]:
        rows = await self._session.execute(
            select(*_columns(_comparisons, _COMPARISON)).where(
                _comparisons.c.pair_id == pair_id, _comparisons.c.assessment_id == assessment_id
            )
        )
        return [_build(Comparison, _COMPARISON, r) for r in rows]

    async def add_comparisons(self, comparisons: Sequence[Comparison]) -> None:
        if not comparisons:
            return
        rows = [{**dataclasses.asdict(c), "pair_key": c.pair_key} for c in comparisons]
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(_comparisons), rows)
        except IntegrityError as exc:
            raise Conflict("that judge already has that pair") from exc

    async def answer(self, comparison: Comparison) -> bool:
        result = await self._session.execute(
            update(_comparisons)
            .where(
                _comparisons.c.pair_id == comparison.pair_id,
                _comparisons.c.judge_id == comparison.judge_id,
                _comparisons.c.status == ComparisonStatus.LEASED,
            )
            .values(
                status=comparison.status,
                winner=comparison.winner,
                confidence=comparison.confidence,
                justification=comparison.justification,
                error=comparison.error,
                answered_at=comparison.answered_at,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def save_fit(
        self,
        assessment_id: uuid.UUID,
        fits: Sequence[EssayFit],
        judges: Sequence[JudgeRecord],
        projections: Sequence[GradeProjection],
    ) -> None:
        if fits:
            await self._session.execute(
                update(_essays)
                .where(
                    _essays.c.assessment_id == bindparam("aid"),
                    _essays.c.essay_id == bindparam("eid"),
                )
                .values(
                    score=bindparam("new_score"),
                    se=bindparam("new_se"),
                    rank=bindparam("new_rank"),
                    comparisons=bindparam("new_comparisons"),
                ),
                [
                    {
                        "aid": assessment_id,
                        "eid": f.essay_id,
                        "new_score": f.score,
                        "new_se": f.se,
                        "new_rank": f.rank,
                        "new_comparisons": f.comparisons,
                    }
                    for f in fits
                ],
            )
        if judges:
            statement = insert(_judges)
            await self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=["assessment_id", "judge_id"],
                    set_={
                        name: statement.excluded[name]
                        for name in _JUDGE
                        if name not in ("assessment_id", "judge_id")
                    },
                ),
                [dataclasses.asdict(j) for j in judges],
            )
        await self._session.execute(
            delete(_projections).where(_projections.c.assessment_id == assessment_id)
        )
        if projections:
            await self._session.execute(
                insert(_projections), [dataclasses.asdict(p) for p in projections]
            )

    async def judges(self, assessment_id: uuid.UUID) -> list[JudgeRecord]:
        rows = await self._session.execute(
            select(*_columns(_judges, _JUDGE))
            .where(_judges.c.assessment_id == assessment_id)
            .order_by(_judges.c.judge_id)
        )
        return [_build(JudgeRecord, _JUDGE, r) for r in rows]

    async def projections(
        self, assessment_id: uuid.UUID, essay_ids: Sequence[str] | None = None
    ) -> list[GradeProjection]:
        statement = select(*_columns(_projections, _PROJECTION)).where(
            _projections.c.assessment_id == assessment_id
        )
        if essay_ids is not None:
            statement = statement.where(_projections.c.essay_id.in_(list(essay_ids)))
        rows = await self._session.execute(statement)
        return [_build(GradeProjection, _PROJECTION, r) for r in rows]

    async def ranked(
        self, assessment_id: uuid.UUID, *, after_rank: int | None, limit: int
    ) -> list[AssessmentEssay]:
        names = [n for n in _ESSAY if n != "text"]
        statement = select(*_columns(_essays, names)).where(
            _essays.c.assessment_id == assessment_id, _essays.c.rank.is_not(None)
        )
        if after_rank is not None:
            statement = statement.where(_essays.c.rank > after_rank)
        rows = await self._session.execute(statement.order_by(_essays.c.rank).limit(limit))
        return [_build(AssessmentEssay, names, r) for r in rows]

    async def lock(self, assessment_id: uuid.UUID, name: str) -> None:
        # a transaction-level advisory lock on a 64-bit hash of the name (a collision only
        # makes two unrelated hand-outs wait for each other)
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"),
            {"name": f"cj:{assessment_id}:{name}"},
        )

    def _human(self, assessment_id: uuid.UUID) -> list[Any]:
        return [
            _comparisons.c.assessment_id == assessment_id,
            _comparisons.c.judge_kind == JudgeKind.HUMAN,
        ]

    async def held(
        self, assessment_id: uuid.UUID, judge_id: str, at: datetime
    ) -> Comparison | None:
        row = (
            await self._session.execute(
                select(*_columns(_comparisons, _COMPARISON))
                .where(
                    *self._human(assessment_id),
                    _comparisons.c.status == ComparisonStatus.LEASED,
                    _comparisons.c.judge_id == judge_id,
                    _comparisons.c.lease_until > at,
                )
                .limit(1)
            )
        ).first()
        return None if row is None else _build(Comparison, _COMPARISON, row)

    def _seen_by(self, assessment_id: uuid.UUID, judge_id: str, pair_key: Any) -> Any:
        seen = _comparisons.alias("seen")
        return exists().where(
            seen.c.assessment_id == assessment_id,
            seen.c.judge_kind == JudgeKind.HUMAN,
            seen.c.judge_id == judge_id,
            seen.c.pair_key == pair_key,
        )

    async def lapsed(
        self, assessment_id: uuid.UUID, judge_id: str, at: datetime, limit: int
    ) -> list[Comparison]:
        other = _comparisons.alias("other")
        still_open = exists().where(
            other.c.pair_id == _comparisons.c.pair_id,
            (other.c.status != ComparisonStatus.LEASED) | (other.c.lease_until > at),
        )
        rows = await self._session.execute(
            select(*_columns(_comparisons, _COMPARISON))
            .where(
                *self._human(assessment_id),
                _comparisons.c.status == ComparisonStatus.LEASED,
                _comparisons.c.lease_until <= at,
                ~still_open,
                ~self._seen_by(assessment_id, judge_id, _comparisons.c.pair_key),
            )
            .order_by(_comparisons.c.created_at, _comparisons.c.pair_id)
            .limit(limit)
        )
        return [_build(Comparison, _COMPARISON, r) for r in rows]

    async def pair_leased(self, assessment_id: uuid.UUID, pair_key: str, at: datetime) -> bool:
        found = await self._session.execute(
            select(
                exists().where(
                    *self._human(assessment_id),
                    _comparisons.c.pair_key == pair_key,
                    _comparisons.c.status == ComparisonStatus.LEASED,
                    _comparisons.c.lease_until > at,
                )
            )
        )
        return bool(found.scalar())

    def _newest(self, assessment_id: uuid.UUID) -> Any:
        return (
            select(func.max(_queue.c.generation))
            .where(_queue.c.assessment_id == assessment_id)
            .scalar_subquery()
        )

    def _open_for(self, assessment_id: uuid.UUID, judge_id: str) -> list[Any]:
        return [
            _queue.c.assessment_id == assessment_id,
            _queue.c.generation == self._newest(assessment_id),
            _queue.c.claimed.is_(False),
            ~self._seen_by(assessment_id, judge_id, _queue.c.pair_key),
        ]

    async def claim_queued(self, assessment_id: uuid.UUID, judge_id: str) -> tuple[str, str] | None:
        row = (
            await self._session.execute(
                select(_queue.c.generation, _queue.c.seq, _queue.c.essay_a, _queue.c.essay_b)
                .where(*self._open_for(assessment_id, judge_id))
                .order_by(_queue.c.seq)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        if row is None:
            return None
        await self._session.execute(
            update(_queue)
            .where(
                _queue.c.assessment_id == assessment_id,
                _queue.c.generation == row.generation,
                _queue.c.seq == row.seq,
            )
            .values(claimed=True)
        )
        return row.essay_a, row.essay_b

    async def unclaimed(self, assessment_id: uuid.UUID, judge_id: str) -> int:
        found = await self._session.execute(
            select(func.count()).select_from(_queue).where(*self._open_for(assessment_id, judge_id))
        )
        return int(found.scalar() or 0)

    async def queue_pairs(self, assessment_id: uuid.UUID, pairs: Sequence[tuple[str, str]]) -> int:
        newest = (await self._session.execute(select(self._newest(assessment_id)))).scalar()
        generation = (newest or 0) + 1
        if pairs:
            await self._session.execute(
                insert(_queue),
                [
                    {
                        "assessment_id": assessment_id,
                        "generation": generation,
                        "seq": seq,
                        "essay_a": a,
                        "essay_b": b,
                        "pair_key": pair_key(a, b),
                    }
                    for seq, (a, b) in enumerate(pairs)
                ],
            )
        return generation

    async def drop_queue(self, assessment_id: uuid.UUID, *, before: int | None = None) -> None:
        statement = delete(_queue).where(_queue.c.assessment_id == assessment_id)
        if before is not None:
            statement = statement.where(_queue.c.generation < before)
        await self._session.execute(statement)


class PostgresProcessedRequests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, key: str, scope: str) -> dict[str, Any] | None:
        stored = await inbox.claim(self._session, messaging.processed_requests, key, scope)
        return None if stored is None else dict(stored.body)

    async def record(self, key: str, scope: str, answer: dict[str, Any]) -> None:
        await inbox.record(self._session, messaging.processed_requests, key, scope, 201, answer)


class PostgresAssessmentUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.assessments = PostgresAssessmentRepository(session)
        self.requests = PostgresProcessedRequests(session)

    async def call_peer(self, method: str, url: str, body: Any, idempotency_key: str) -> None:
        await enqueue(
            self.session, messaging.outbox, method, url, json=body, idempotency_key=idempotency_key
        )

    async def schedule(self, kind: str, payload: dict[str, Any], dedup_key: str) -> None:
        await enqueue_job(self.session, messaging.jobs, kind, payload, dedup_key=dedup_key)
