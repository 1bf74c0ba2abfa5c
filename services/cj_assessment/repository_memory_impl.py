"""cj_assessment storage in memory: the same contract, for unit tests."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service_kit.errors import Conflict
from service_kit.memory import MemoryUnitOfWork
from service_kit.pagination import keyset_page_of
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
from services.cj_assessment.protocols import EssayFit

EssayKey = tuple[uuid.UUID, str]


@dataclass
class MemoryAssessmentStore:
    assessments: dict[uuid.UUID, Assessment] = field(default_factory=dict)
    essays: dict[EssayKey, AssessmentEssay] = field(default_factory=dict)
    comparisons: dict[tuple[uuid.UUID, str], Comparison] = field(default_factory=dict)
    judges: dict[EssayKey, JudgeRecord] = field(default_factory=dict)
    projections: dict[EssayKey, GradeProjection] = field(default_factory=dict)
    answers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # the inbox
    calls: dict[str, tuple[str, str, Any]] = field(default_factory=dict)  # the outbox, by key
    jobs: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # by dedup key
    # (assessment, generation, seq) -> (essay a, essay b, claimed)
    queue: dict[tuple[uuid.UUID, int, int], tuple[str, str, bool]] = field(default_factory=dict)


class MemoryAssessmentRepository:
    def __init__(self, store: MemoryAssessmentStore) -> None:
        self._store = store

    async def add(self, assessment: Assessment, essays: Sequence[AssessmentEssay]) -> None:
        self._store.assessments[assessment.id] = assessment
        for essay in essays:
            self._store.essays[(assessment.id, essay.essay_id)] = essay

    async def get(
        self, assessment_id: uuid.UUID, *, for_update: bool = False, for_share: bool = False
    ) -> Assessment | None:
        return self._store.assessments.get(assessment_id)

    async def update(self, assessment: Assessment, *, expected_version: int) -> bool:
        current = self._store.assessments.get(assessment.id)
        if current is None or current.version != expected_version:
            return False
        self._store.assessments[assessment.id] = dataclasses.replace(
            assessment, version=expected_version + 1
        )
        return True

    async def list_for_batch(
        self, batch_id: str | None, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Assessment]:
        return keyset_page_of(
            (
                a
                for a in self._store.assessments.values()
                if batch_id is None or a.batch_id == batch_id
            ),
            lambda a: (a.created_at, a.id),
            after,
            limit,
        )

    async def essays(
        self, assessment_id: uuid.UUID, *, with_texts: bool = False
    ) -> list[AssessmentEssay]:
        found = [e for (aid, _), e in self._store.essays.items() if aid == assessment_id]
        if not with_texts:
            found = [dataclasses.replace(e, text=None) for e in found]
        return sorted(found, key=lambda e: e.ordinal)

    async def texts(self, assessment_id: uuid.UUID, essay_ids: Sequence[str]) -> dict[str, str]:
        found = (self._store.essays.get((assessment_id, e)) for e in essay_ids)
        return {e.essay_id: e.text for e in found if e is not None and e.text is not None}

    async def set_texts(self, assessment_id: uuid.UUID, texts: dict[str, str]) -> None:
        for essay_id, text in texts.items():
            key = (assessment_id, essay_id)
            self._store.essays[key] = dataclasses.replace(self._store.essays[key], text=text)

    async def comparisons(self, assessment_id: uuid.UUID) -> list[Comparison]:
        found = [c for c in self._store.comparisons.values() if c.assessment_id == assessment_id]
        return sorted(found, key=lambda c: (c.created_at, c.pair_id, c.judge_id))

    async def pair(self, assessment_id: uuid.UUID, pair_id: uuid.UUID) -> list[Comparison]:
        return [
            c
            for (pid, _), c in self._store.comparisons.items()
            if pid == pair_id and c.assessment_id == assessment_id
        ]

    async def add_comparisons(self, comparisons: Sequence[Comparison]) -> None:
        for c in comparisons:
            taken = (c.pair_id, c.judge_id) in self._store.comparisons or (
                c.judge_kind is JudgeKind.HUMAN
                and any(
                    o.assessment_id == c.assessment_id
                    and o.judge_id == c.judge_id
                    and o.pair_key == c.pair_key
                    for o in self._store.comparisons.values()
                )
            )
            if taken:  # what the database's unique constraints refuse
                raise Conflict("that judge already has that pair")
            self._store.comparisons[(c.pair_id, c.judge_id)] = c

    async def answer(self, comparison: Comparison) -> bool:
        key = (comparison.pair_id, comparison.judge_id)
        current = self._store.comparisons.get(key)
        if current is None or current.status is not ComparisonStatus.LEASED:
            return False
        self._store.comparisons[key] = comparison
        return True

    async def save_fit(
        self,
        assessment_id: uuid.UUID,
        fits: Sequence[EssayFit],
        judges: Sequence[JudgeRecord],
        projections: Sequence[GradeProjection],
    ) -> None:
        for fit in fits:
            key = (assessment_id, fit.essay_id)
            self._store.essays[key] = dataclasses.replace(
                self._store.essays[key],
                score=fit.score,
                se=fit.se,
                rank=fit.rank,
                comparisons=fit.comparisons,
            )
        for judge in judges:
            self._store.judges[(assessment_id, judge.judge_id)] = judge
        for key in [k for k in self._store.projections if k[0] == assessment_id]:
            del self._store.projections[key]
        for projection in projections:
            self._store.projections[(assessment_id, projection.essay_id)] = projection

    async def judges(self, assessment_id: uuid.UUID) -> list[JudgeRecord]:
        found = [j for (aid, _), j in self._store.judges.items() if aid == assessment_id]
        return sorted(found, key=lambda j: j.judge_id)

    async def projections(
        self, assessment_id: uuid.UUID, essay_ids: Sequence[str] | None = None
    ) -> list[GradeProjection]:
        wanted = None if essay_ids is None else set(essay_ids)
        return [
            p
            for (aid, eid), p in self._store.projections.items()
            if aid == assessment_id and (wanted is None or eid in wanted)
        ]

    async def ranked(
        self, assessment_id: uuid.UUID, *, after_rank: int | None, limit: int
    ) -> list[AssessmentEssay]:
        found = [
            dataclasses.replace(e, text=None)
            for (aid, _), e in self._store.essays.items()
            if aid == assessment_id
            and e.rank is not None
            and (after_rank is None or e.rank > after_rank)
        ]
        return sorted(found, key=lambda e: e.rank or 0)[:limit]

    async def lock(self, assessment_id: uuid.UUID, name: str) -> None:
        return None  # one event loop and no await inside a transaction's reads and writes

    def _human(self, assessment_id: uuid.UUID) -> list[Comparison]:
        return [
            c
            for c in self._store.comparisons.values()
            if c.assessment_id == assessment_id and c.judge_kind is JudgeKind.HUMAN
        ]

    async def held(
        self, assessment_id: uuid.UUID, judge_id: str, at: datetime
    ) -> Comparison | None:
        for c in self._human(assessment_id):
            leased = c.status is ComparisonStatus.LEASED
            if c.judge_id == judge_id and leased and c.lease_until and c.lease_until > at:
                return c
        return None

    def _seen(self, assessment_id: uuid.UUID, judge_id: str) -> set[str]:
        return {c.pair_key for c in self._human(assessment_id) if c.judge_id == judge_id}

    async def lapsed(
        self, assessment_id: uuid.UUID, judge_id: str, at: datetime, limit: int
    ) -> list[Comparison]:
        rows = sorted(self._human(assessment_id), key=lambda c: (c.created_at, c.pair_id))
        seen = self._seen(assessment_id, judge_id)
        by_pair: dict[uuid.UUID, list[Comparison]] = {}
        for c in rows:
            by_pair.setdefault(c.pair_id, []).append(c)
        found = [
            group[0]
            for group in by_pair.values()
            if group[0].pair_key not in seen
            and all(
                c.status is ComparisonStatus.LEASED
                and c.lease_until is not None
                and c.lease_until <= at
                for c in group
            )
        ]
        return found[:limit]

    async def pair_leased(self, assessment_id: uuid.UUID, pair_key: str, at: datetime) -> bool:
        return any(
            c.pair_key == pair_key
            and c.status is ComparisonStatus.LEASED
            and c.lease_until is not None
            and c.lease_until > at
            for c in self._human(assessment_id)
        )

    def _open_for(
        self, assessment_id: uuid.UUID, judge_id: str
    ) -> list[tuple[tuple[uuid.UUID, int, int], str, str]]:
        mine = [k for k in self._store.queue if k[0] == assessment_id]
        if not mine:
            return []
        newest = max(k[1] for k in mine)
        seen = self._seen(assessment_id, judge_id)
        found = []
        for key in sorted(k for k in mine if k[1] == newest):
            a, b, claimed = self._store.queue[key]
            if not claimed and pair_key(a, b) not in seen:
                found.append((key, a, b))
        return found

    async def claim_queued(self, assessment_id: uuid.UUID, judge_id: str) -> tuple[str, str] | None:
        found = self._open_for(assessment_id, judge_id)
        if not found:
            return None
        key, a, b = found[0]
        self._store.queue[key] = (a, b, True)
        return a, b

    async def unclaimed(self, assessment_id: uuid.UUID, judge_id: str) -> int:
        return len(self._open_for(assessment_id, judge_id))

    async def queue_pairs(self, assessment_id: uuid.UUID, pairs: Sequence[tuple[str, str]]) -> int:
        generation = 1 + max((k[1] for k in self._store.queue if k[0] == assessment_id), default=0)
        for seq, (a, b) in enumerate(pairs):
            self._store.queue[(assessment_id, generation, seq)] = (a, b, False)
        return generation

    async def drop_queue(self, assessment_id: uuid.UUID, *, before: int | None = None) -> None:
        for key in [k for k in self._store.queue if k[0] == assessment_id]:
            if before is None or key[1] < before:
                del self._store.queue[key]


class MemoryProcessedRequests:
    def __init__(self, store: MemoryAssessmentStore) -> None:
        self._store = store

    async def claim(self, key: str, scope: str) -> dict[str, Any] | None:
        return self._store.answers.get((key, scope))

    async def record(self, key: str, scope: str, answer: dict[str, Any]) -> None:
        self._store.answers[(key, scope)] = answer


class MemoryAssessmentUnitOfWork(MemoryUnitOfWork[MemoryAssessmentStore]):
    def __init__(self, store: MemoryAssessmentStore) -> None:
        super().__init__(store)
        self.assessments = MemoryAssessmentRepository(store)
        self.requests = MemoryProcessedRequests(store)

    async def schedule(self, kind: str, payload: dict[str, Any], dedup_key: str) -> None:
        self.store.jobs.setdefault(dedup_key, (kind, payload))
