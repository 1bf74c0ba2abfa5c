"""The results table a page at a time on PostgreSQL (issue 16): the order computed in SQL
(rank inside the assessment JSON, unranked last by filename) is the domain's, and the
pages cover the table once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from service_kit.db import Database
from services.batch_orchestrator.domain import Batch, BatchStatus, EssayResult, result_position
from services.batch_orchestrator.repository_postgres_impl import PostgresOrchestratorUnitOfWork
from services.batch_orchestrator.use_cases import ListResults, ListResultsCommand

T0 = datetime(2026, 12, 5, tzinfo=UTC)


def _result(batch_id: str, k: int) -> EssayResult:
    ranked = k % 3 != 0  # a third of the essays have no rank (their CJ failed)
    return EssayResult(
        essay_id=f"e{k:03d}",
        batch_id=batch_id,
        file_id=None,
        filename=None if k == 5 else f"essay-{(k * 7) % 40:02d}.txt",
        status="completed" if ranked else "cj_failed",
        spelling=None,
        corrected_text_content_id=None,
        # ranks 1..n out of order of the ids, 10 above 9 (a numeric sort, not a text one)
        assessment={"rank": 40 - k, "score": 0.0, "se": 1.0} if ranked else None,
        updated_at=T0,
    )


async def test_pages_on_postgres_follow_the_domain_order(database_url):
    batch_id = f"pages-{uuid.uuid4().hex[:8]}"
    results = [_result(batch_id, k) for k in range(37)]
    database = Database(database_url)
    try:
        async with database.sessions() as session:
            uow = PostgresOrchestratorUnitOfWork(session)
            async with uow:
                batch = Batch(
                    batch_id, "p", "teacher", "en", BatchStatus.COMPLETED, ("cj_assessment",),
                    created_at=T0, updated_at=T0,
                )  # fmt: skip
                await uow.batches.add(batch)
                await uow.results.upsert(results)
                await uow.commit()
        seen, cursor, totals = [], None, set()
        while True:
            async with database.sessions() as session:
                page = await ListResults(PostgresOrchestratorUnitOfWork(session)).execute(
                    ListResultsCommand(batch_id, None, 8, cursor)
                )
            seen += [r.essay_id for r in page.results.essays]
            totals.add(page.total)
            cursor = page.next_cursor
            if cursor is None:
                break
    finally:
        await database.dispose()
    assert seen == [r.essay_id for r in sorted(results, key=result_position)]
    assert totals == {37}
