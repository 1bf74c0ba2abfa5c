"""The run_assessment job's use cases: run an assessment (fetch the texts, then, for
llm/baseline, judge round after round) and give up on one.

Everything that matters is in the database, so a run is safe to repeat after a crash:
texts already fetched are not fetched again; each round reads the judgements so far, fits,
checks whether to stop, chooses pairs, judges them, and records the whole round in one
transaction guarded by the assessment's version (a second worker that raced on a lapsed
lease records nothing twice). The callback goes through the outbox with the final status.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.logging import get_logger
from services.cj_assessment import metrics
from services.cj_assessment.domain import (
    Assessment,
    AssessmentEssay,
    AssessmentStatus,
    Comparison,
    ComparisonStatus,
    JudgeKind,
)
from services.cj_assessment.judges.panel import Judges
from services.cj_assessment.protocols import (
    AssessmentUnitOfWork,
    ContentFetcher,
    ContentMissing,
    ContentUnavailable,
    JudgingFailed,
    PairJudge,
    Verdict,
)
from services.cj_assessment.runs import progress
from services.cj_assessment.runs.progress import give_up

log = get_logger("cj_assessment.runner")


@dataclass(frozen=True)
class RunLimits:
    """How a run may go (settings)."""

    max_failed_comparisons: int = 5
    fetch_concurrency: int = 8


@dataclass(frozen=True, slots=True)
class RunAssessmentCommand:
    assessment_id: uuid.UUID
    last_attempt: bool = False  # the job's last try: report what would otherwise be retried


class RunAssessment:
    """Prepare the assessment (every text fetched and stored) and, for llm/baseline, run
    rounds until the method stops it. Raises what is worth another attempt of the job."""

    def __init__(
        self,
        uow: AssessmentUnitOfWork,
        content: ContentFetcher,
        judges: Judges,
        limits: RunLimits,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._content = content
        self._judges = judges
        self._limits = limits
        self._clock = clock

    async def execute(self, command: RunAssessmentCommand) -> None:
        uow, assessment_id = self._uow, command.assessment_id
        async with uow:
            assessment = await uow.assessments.get(assessment_id)
            essays = (
                await uow.assessments.essays(assessment_id, with_texts=True) if assessment else []
            )
        if assessment is None:
            log.warning("run_assessment_unknown", assessment_id=str(assessment_id))
            return
        if assessment.status is AssessmentStatus.PREPARING:
            prepared = await self.prepare(assessment, essays, command.last_attempt)
            if prepared is None:
                return
            assessment = prepared
        if assessment.finished or assessment.judge is JudgeKind.HUMAN:
            return  # people judge through the API from here on
        judge = self._judges.for_kind(assessment.judge)
        if judge is None:
            reason = "llm judging is not configured (set CJ_ASSESSMENT_LLM_BASE_URL)"
            await give_up(uow, assessment_id, reason, at=self._clock.now())
            return
        while not await self.run_round(judge, assessment_id):
            pass

    async def prepare(
        self, assessment: Assessment, essays: Sequence[AssessmentEssay], last_attempt: bool
    ) -> Assessment | None:
        """Fetch every missing text, store them and start the assessment. None when it failed
        (content that will never come) or someone else moved it on."""
        uow = self._uow
        missing = [e for e in essays if e.text is None and e.content_id is not None]
        slots = asyncio.Semaphore(max(1, self._limits.fetch_concurrency))

        async def fetch(essay: AssessmentEssay) -> str:
            async with slots:
                assert essay.content_id is not None
                return await self._content.fetch_text(essay.content_id)

        results = await asyncio.gather(*(fetch(e) for e in missing), return_exceptions=True)
        texts: dict[str, str] = {}
        for essay, result in zip(missing, results, strict=True):
            if isinstance(result, ContentMissing):
                reason = f"the text of essay {essay.essay_id}: {result}"
                await give_up(uow, assessment.id, reason, at=self._clock.now())
                return None
            if isinstance(result, BaseException):
                if isinstance(result, ContentUnavailable) and last_attempt:
                    reason = f"content_service stayed unavailable: {result}"
                    await give_up(uow, assessment.id, reason, at=self._clock.now())
                    return None
                raise result
            texts[essay.essay_id] = result
        async with uow:
            current = await uow.assessments.get(assessment.id, for_update=True)
            if current is None or current.status is not AssessmentStatus.PREPARING:
                return None
            await uow.assessments.set_texts(assessment.id, texts)
            running = dataclasses.replace(
                current, status=AssessmentStatus.RUNNING, updated_at=self._clock.now()
            )
            if not await uow.assessments.update(running, expected_version=current.version):
                return None
            await uow.commit()
        return dataclasses.replace(running, version=current.version + 1)

    async def run_round(self, judge: PairJudge, assessment_id: uuid.UUID) -> bool:
        """One round; True when the assessment has finished (or is no longer ours to run)."""
        uow, limits = self._uow, self._limits
        async with uow:
            assessment = await uow.assessments.get(assessment_id)
            if assessment is None or assessment.status is not AssessmentStatus.RUNNING:
                return True
            essays = await uow.assessments.essays(assessment_id, with_texts=True)
            rows = await uow.assessments.comparisons(assessment_id)
        failed = sum(c.status is ComparisonStatus.FAILED for c in rows)
        answered = sum(c.status is ComparisonStatus.ANSWERED for c in rows)
        if failed >= limits.max_failed_comparisons and failed > answered:
            reason = f"{failed} comparisons failed and only {answered} succeeded; last error: "
            reason += next(c.error or "" for c in reversed(rows) if c.error)
            await give_up(uow, assessment_id, reason, at=self._clock.now())
            return True

        found = await progress.assess_progress(assessment, essays, rows, len(essays) // 2)
        if found.failure is not None:  # the LLM's answers carry no information: no ranking
            await give_up(uow, assessment_id, found.failure, at=self._clock.now())
            return True
        if found.stop is not None:
            return await self._complete(assessment, found)

        texts = {e.essay_id: e.text or "" for e in essays}
        verdicts = await asyncio.gather(
            *(_judge(judge, assessment, texts[a], texts[b]) for a, b in found.next_pairs)
        )
        kind = assessment.judge
        stamp = self._clock.now()
        judged = [
            Comparison(
                pair_id=uuid.uuid4(),
                judge_id=judge.judge_id,
                assessment_id=assessment_id,
                essay_a=a,
                essay_b=b,
                judge_kind=kind,
                status=ComparisonStatus.FAILED if isinstance(v, str) else ComparisonStatus.ANSWERED,
                created_at=stamp,
                winner=None if isinstance(v, str) else v.winner,
                confidence=None if isinstance(v, str) else v.confidence,
                justification=None if isinstance(v, str) else v.justification,
                error=v if isinstance(v, str) else None,
                answered_at=stamp,
            )
            for (a, b), v in zip(found.next_pairs, verdicts, strict=True)
        ]
        async with uow:
            current = await uow.assessments.get(assessment_id, for_update=True)
            if current is None or current.version != assessment.version:
                return current is None or current.finished  # another worker got there first
            await uow.assessments.add_comparisons(judged)
            # the version moves on with every round, fitted or not: a racing worker stops here
            if found.estimate is not None:
                fitted = await progress.record_fit(uow, assessment, found.estimate, at=stamp)
                if fitted is None:
                    return False
            elif not await uow.assessments.update(assessment, expected_version=assessment.version):
                return False
            await uow.commit()
        for c in judged:
            metrics.COMPARISONS.labels(kind.value, c.status.value).inc()
        return False

    async def _complete(self, assessment: Assessment, found: progress.Progress) -> bool:
        assert found.stop is not None and found.estimate is not None
        uow = self._uow
        async with uow:
            current = await uow.assessments.get(assessment.id, for_update=True)
            if current is None or current.version != assessment.version:
                return current is None or current.finished
            essays = await uow.assessments.essays(assessment.id)
            done = await progress.complete(
                uow, current, essays, found.estimate, found.stop, at=self._clock.now()
            )
            if done is None:
                return False
            await uow.commit()
        progress.count_finished(done)
        log.info("assessment_completed", assessment_id=str(assessment.id), stop_reason=found.stop)
        return True


async def _judge(
    judge: PairJudge, assessment: Assessment, text_a: str, text_b: str
) -> Verdict | str:
    """A verdict, or the error text of a comparison that failed (kept, never dropped)."""
    try:
        return await judge.judge(assessment.instructions, text_a, text_b)
    except JudgingFailed as exc:
        return str(exc) or type(exc).__name__


@dataclass(frozen=True, slots=True)
class GiveUpAssessmentCommand:
    assessment_id: uuid.UUID
    reason: str


class GiveUpAssessment:
    """Fail the assessment (if it has not finished) and tell its caller why: the job's
    attempts ran out."""

    def __init__(self, uow: AssessmentUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: GiveUpAssessmentCommand) -> None:
        await give_up(self._uow, command.assessment_id, command.reason, at=self._clock.now())
