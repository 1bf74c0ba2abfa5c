"""A spellcheck job's run (RunSpellcheck, GiveUpSpellcheck) on the in-memory repository, with
content_service played by a hand-written fake: outcome written once, callback queued once,
failures told with reasons."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from typing import Any

import pytest

from service_kit.clock import SettableClock
from services.spell_checker.config import JobAttempts, TextLimit
from services.spell_checker.domain import (
    ContentUnavailable,
    JobRequest,
    SpellcheckJob,
    SpellcheckStatus,
    callback_key,
)
from services.spell_checker.repository_memory_impl import (
    MemorySpellcheckStore,
    MemorySpellcheckUnitOfWork,
)
from services.spell_checker.spelling import checking
from services.spell_checker.tests.faults import FAULT_REASON, Faults, FaultyRunSpellcheck
from services.spell_checker.tests.unit.fakes import FakeContent
from services.spell_checker.use_cases import (
    GetJob,
    GiveUpSpellcheck,
    GiveUpSpellcheckCommand,
    RequestSpellcheck,
    RequestSpellcheckCommand,
    RunSpellcheck,
    RunSpellcheckCommand,
)

CLOCK = SettableClock()
ESSAY = "Students often recieve feedback about thier speling. We visited Göteborg and NASA."


async def queued_job(
    store: MemorySpellcheckStore, text: str | None = ESSAY, **changes: Any
) -> tuple[SpellcheckJob, FakeContent]:
    content_id = hashlib.sha256((text or "missing").encode()).hexdigest()
    essay = str(uuid.uuid4())
    asked = JobRequest(
        essay_id=essay,
        batch_id="b1",
        content_id=content_id,
        language="en",
        callback_url=f"http://els.test/internal/v1/essays/{essay}/spellcheck-result?attempt=1",
    )
    job = await ask(store, dataclasses.replace(asked, **changes))
    return job, FakeContent({content_id: text} if text is not None else {})


async def ask(store: MemorySpellcheckStore, asked: JobRequest) -> SpellcheckJob:
    uow = MemorySpellcheckUnitOfWork(store)
    return await RequestSpellcheck(uow, JobAttempts(5), CLOCK).execute(
        RequestSpellcheckCommand(asked)
    )


async def run(
    store: MemorySpellcheckStore,
    job: SpellcheckJob,
    content: FakeContent,
    *,
    faults: Faults | None = None,
    last_attempt: bool = False,
) -> None:
    """One run as the job entry point makes it; with ``faults`` as the test app makes it."""
    uow = MemorySpellcheckUnitOfWork(store)
    run_spellcheck = RunSpellcheck(uow, content, TextLimit(100_000), CLOCK)
    if faults is not None:
        run_spellcheck = FaultyRunSpellcheck(
            run_spellcheck, GetJob(uow), GiveUpSpellcheck(uow, CLOCK), faults
        )
    await run_spellcheck.execute(RunSpellcheckCommand(job.id, job.run, last_attempt))


async def give_up(store: MemorySpellcheckStore, job: SpellcheckJob, reason: str) -> None:
    give_up = GiveUpSpellcheck(MemorySpellcheckUnitOfWork(store), CLOCK)
    await give_up.execute(GiveUpSpellcheckCommand(job.id, job.run, reason))


async def test_a_job_stores_corrected_text_figures_corrections_and_one_callback():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store)
    await run(store, job, content)

    done = store.jobs[job.id]
    assert done.status is SpellcheckStatus.SUCCEEDED
    (document,) = content.documents.values()
    assert done.corrected_text_content_id == document["content_id"]
    expected = checking.checker_for("en").check(ESSAY)
    assert document["text"] == expected.corrected_text
    assert document["text"].startswith("Students often receive feedback about their spelling.")
    assert "Göteborg" in document["text"] and "NASA" in document["text"]  # names, acronyms
    rows = sorted(store.corrections.values(), key=lambda c: c.position)
    assert [(c.original, c.suggestion) for c in rows] == [
        ("recieve", "receive"),
        ("thier", "their"),
        ("speling", "spelling"),
    ]
    assert [(c.start, c.end, c.candidates) for c in rows] == [
        (c.start, c.end, c.candidates) for c in expected.corrections
    ]
    assert all(ESSAY[c.start : c.end] == c.original for c in rows)
    assert done.corrections_count == done.error_count == 3
    assert done.word_count == expected.word_count == 12
    assert done.errors_per_100_words == expected.errors_per_100_words == 25.0
    assert done.started_at == done.finished_at == CLOCK.now()  # the clock the use case has
    assert done.check_ms is not None and done.check_ms >= 0
    ((method, url, body),) = store.calls.values()
    assert (method, url) == ("POST", job.callback_url)
    assert body == {
        "status": "succeeded",
        "job_id": str(job.id),
        "language": "en",
        "corrected_text_content_id": done.corrected_text_content_id,
        "word_count": 12,
        "error_count": 3,
        "errors_per_100_words": 25.0,
        "corrections_count": 3,
        "corrected_count": 3,
        "flagged_count": 0,
        "unknown_count": 0,
    }


async def test_running_the_same_run_again_writes_and_sends_nothing_more():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store)
    await run(store, job, content)
    outcome, calls, rows = store.jobs[job.id], dict(store.calls), dict(store.corrections)
    await run(store, job, content)
    assert (store.jobs[job.id], store.calls, store.corrections) == (outcome, calls, rows)
    assert content.fetches == 1  # a finished run is not even fetched again


async def test_a_crash_after_storing_the_text_is_finished_once_by_the_repeat():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store)
    content.fail_store = RuntimeError("worker died")  # stands in for the crash mid-job
    with pytest.raises(RuntimeError):
        await run(store, job, content)
    assert store.jobs[job.id].status is SpellcheckStatus.RUNNING
    assert store.calls == {} and store.corrections == {}
    content.fail_store = None
    await run(store, job, content)
    assert store.jobs[job.id].status is SpellcheckStatus.SUCCEEDED
    assert len(store.calls) == 1 and len(store.corrections) == 3


async def test_missing_content_fails_at_once_with_a_reason():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store, text=None)
    await run(store, job, content)
    failed = store.jobs[job.id]
    assert failed.status is SpellcheckStatus.FAILED
    assert failed.reason is not None and job.content_id in failed.reason
    assert list(store.calls.values()) == [
        (
            "POST",
            job.callback_url,
            {"status": "failed", "job_id": str(job.id), "reason": failed.reason},
        )
    ]


async def test_an_unavailable_peer_is_retried_and_told_as_a_failure_on_the_last_attempt():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store)
    content.fail_fetch = ContentUnavailable("ConnectError: refused")
    with pytest.raises(ContentUnavailable):
        await run(store, job, content)
    assert store.jobs[job.id].status is SpellcheckStatus.RUNNING and store.calls == {}
    await run(store, job, content, last_attempt=True)
    failed = store.jobs[job.id]
    assert failed.status is SpellcheckStatus.FAILED
    assert failed.reason == "content_service unavailable: ConnectError: refused"
    (call,) = store.calls.values()
    assert call[2]["status"] == "failed"


async def test_workers_that_kept_dying_give_up_with_a_failure_callback():
    store = MemorySpellcheckStore()
    job, _ = await queued_job(store)
    await give_up(store, job, "gave up")
    assert (store.jobs[job.id].status, store.jobs[job.id].reason) == (
        SpellcheckStatus.FAILED,
        "gave up",
    )
    await give_up(store, job, "again")
    assert store.jobs[job.id].reason == "gave up" and len(store.calls) == 1


async def test_an_unsupported_language_fails_the_job_with_the_supported_ones():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store, language="fi")
    await run(store, job, content)
    failed = store.jobs[job.id]
    assert failed.status is SpellcheckStatus.FAILED
    assert failed.reason == "unsupported language 'fi'; supported: en, sv"
    assert content.fetches == 0 and len(store.calls) == 1


async def test_injected_faults_fail_first_runs_only_and_a_rerun_succeeds():
    store = MemorySpellcheckStore()
    faults = Faults(fail_first_runs=1)
    first, content = await queued_job(store)
    second, second_content = await queued_job(
        store, text="Another essay with a mistake in its speling."
    )
    await run(store, first, content, faults=faults)
    await run(store, second, second_content, faults=faults)
    assert store.jobs[first.id].status is SpellcheckStatus.FAILED
    assert store.jobs[first.id].reason == FAULT_REASON
    assert store.jobs[second.id].status is SpellcheckStatus.SUCCEEDED  # only N jobs fail

    asked_again = JobRequest(
        essay_id=first.essay_id,
        batch_id=first.batch_id,
        content_id=first.content_id,
        language="en",
        callback_url=first.callback_url.replace("attempt=1", "attempt=2"),
    )
    rerun = await ask(store, asked_again)
    assert rerun.run == 2
    await run(store, rerun, content, faults=Faults(fail_first_runs=5))  # run 2 never faults
    done = store.jobs[first.id]
    assert (done.status, done.run, done.reason) == (SpellcheckStatus.SUCCEEDED, 2, None)
    assert callback_key(done) in store.calls
    assert store.calls[callback_key(done)][1].endswith("attempt=2")
    assert len(store.calls) == 3  # first's failure, second's success, first's run 2 success


async def test_an_auto_job_is_checked_and_reported_in_the_language_of_its_text():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store, text="Jag tyker om att läsa böcker.", language="auto")
    await run(store, job, content)

    done = store.jobs[job.id]
    assert done.status is SpellcheckStatus.SUCCEEDED
    assert done.language == "sv"
    assert [c.suggestion for c in store.corrections.values()] == ["tycker"]
    ((_, _, callback),) = store.calls.values()
    assert callback["language"] == "sv"


async def test_a_job_asked_for_again_while_queued_reports_to_the_newest_callback():
    store = MemorySpellcheckStore()
    job, content = await queued_job(store)
    newer = job.callback_url.replace("attempt=1", "attempt=2")
    again = await ask(
        store,
        JobRequest(
            essay_id=job.essay_id,
            batch_id=job.batch_id,
            content_id=job.content_id,
            language="en",
            callback_url=newer,
        ),
    )
    assert again.id == job.id and again.run == job.run
    await run(store, job, content)  # the worker holds the job as it was when it was queued

    assert [url for _, url, _ in store.calls.values()] == [newer]
    assert store.jobs[job.id].callback_url == newer
