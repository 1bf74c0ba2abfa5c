"""The use cases callers trigger, on the in-memory repository: asking for a job (one job per
essay text, retry semantics, the inbox), reading it and its corrections, and checking a
text directly."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from service_kit.clock import SettableClock
from service_kit.errors import InvalidInput, NotFound
from service_kit.pagination import encode_cursor
from services.spell_checker.config import JobAttempts, TextLimit
from services.spell_checker.domain import (
    SPELLCHECK,
    JobRequest,
    SpellcheckStatus,
    StoredCorrection,
    TextTooLong,
    UnknownLanguage,
    callback_key,
)
from services.spell_checker.repository_memory_impl import (
    MemorySpellcheckStore,
    MemorySpellcheckUnitOfWork,
)
from services.spell_checker.use_cases import (
    CheckText,
    CheckTextCommand,
    GetJob,
    GetJobCommand,
    ListCorrections,
    ListCorrectionsCommand,
    RequestSpellcheck,
    RequestSpellcheckCommand,
)

CLOCK = SettableClock()
CALLBACK = "http://els.test/internal/v1/essays/{essay}/spellcheck-result?attempt={attempt}"


def request(essay: str = "", *, attempt: int = 1, **changes: object) -> JobRequest:
    essay = essay or str(uuid.uuid4())
    made = JobRequest(
        essay_id=essay,
        batch_id="batch-1",
        content_id="a" * 64,
        language="en",
        callback_url=CALLBACK.format(essay=essay, attempt=attempt),
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


def uow_and_store() -> tuple[MemorySpellcheckUnitOfWork, MemorySpellcheckStore]:
    store = MemorySpellcheckStore()
    return MemorySpellcheckUnitOfWork(store), store


async def submit(uow: MemorySpellcheckUnitOfWork, asked: JobRequest, key: str | None = None):
    return await RequestSpellcheck(uow, JobAttempts(5), CLOCK).execute(
        RequestSpellcheckCommand(asked, idempotency_key=key)
    )


async def set_status(store: MemorySpellcheckStore, job_id: uuid.UUID, **values: object) -> None:
    store.jobs[job_id] = dataclasses.replace(store.jobs[job_id], **values)  # type: ignore[arg-type]


async def test_a_new_essay_text_makes_a_queued_job_and_schedules_its_first_run():
    uow, store = uow_and_store()
    asked = request(ignore=("Göteborg",), check_names=True)
    job = await submit(uow, asked)
    assert (job.status, job.run) == (SpellcheckStatus.QUEUED, 1)
    assert (job.queued_at, job.started_at, job.finished_at) == (CLOCK.now(), None, None)
    assert (job.essay_id, job.content_id, job.language) == (
        asked.essay_id,
        asked.content_id,
        "en",
    )
    assert job.ignore == ("Göteborg",) and job.check_names is True
    assert store.jobs == {job.id: job}
    assert store.queued == {
        f"{SPELLCHECK}:{job.id}:run1": (SPELLCHECK, {"job_id": str(job.id), "run": 1})
    }
    assert store.calls == {}


async def test_the_same_essay_and_content_again_is_the_same_job():
    uow, store = uow_and_store()
    asked = request()
    first = await submit(uow, asked)
    again = await submit(uow, dataclasses.replace(asked, batch_id="other", language="sv"))
    assert again == first
    assert len(store.jobs) == 1 and len(store.queued) == 1
    other_text = await submit(uow, dataclasses.replace(asked, content_id="b" * 64))
    assert other_text.id != first.id
    assert len(store.jobs) == 2 and len(store.queued) == 2


async def test_a_failed_job_asked_again_runs_again_under_the_same_id():
    uow, store = uow_and_store()
    first = await submit(uow, request())
    await set_status(
        store, first.id, status=SpellcheckStatus.FAILED, reason="content missing", word_count=3
    )
    retry = dataclasses.replace(
        request(first.essay_id, attempt=2), ignore=("Vänern",), language="sv"
    )
    asked_again_at = CLOCK.advance(minutes=5)
    again = await submit(uow, retry)
    assert again.queued_at == asked_again_at
    assert again.id == first.id
    assert (again.status, again.run, again.reason, again.word_count) == (
        SpellcheckStatus.QUEUED,
        2,
        None,
        None,
    )
    assert again.callback_url == retry.callback_url
    assert (again.language, again.ignore) == ("sv", ("Vänern",))
    assert store.jobs[first.id] == again
    assert set(store.queued) == {f"{SPELLCHECK}:{first.id}:run1", f"{SPELLCHECK}:{first.id}:run2"}
    assert store.queued[f"{SPELLCHECK}:{first.id}:run2"][1] == {"job_id": str(first.id), "run": 2}
    # asked once more while run 2 is queued: no new run, the result goes to the newest caller
    third = request(first.essay_id, attempt=3)
    assert await submit(uow, third) == dataclasses.replace(again, callback_url=third.callback_url)
    assert len(store.queued) == 2


async def test_a_succeeded_job_sends_its_result_again_to_a_new_callback_only():
    uow, store = uow_and_store()
    first = await submit(uow, request())
    await set_status(
        store,
        first.id,
        status=SpellcheckStatus.SUCCEEDED,
        word_count=120,
        error_count=4,
        errors_per_100_words=3.33,
        corrections_count=4,
        corrected_text_content_id="c" * 64,
    )
    same = await submit(uow, request(first.essay_id))
    assert same.callback_url == first.callback_url
    assert store.calls == {}  # the same callback: its result went there already

    moved = await submit(uow, request(first.essay_id, attempt=2))
    assert (moved.id, moved.run, moved.status) == (first.id, 1, SpellcheckStatus.SUCCEEDED)
    assert moved.callback_url.endswith("attempt=2")
    assert list(store.calls) == [callback_key(moved)]
    method, url, body = store.calls[callback_key(moved)]
    assert (method, url) == ("POST", moved.callback_url)
    assert body == {
        "status": "succeeded",
        "job_id": str(first.id),
        "language": "en",
        "corrected_text_content_id": "c" * 64,
        "word_count": 120,
        "error_count": 4,
        "errors_per_100_words": 3.33,
        "corrections_count": 4,
    }
    assert len(store.queued) == 1  # nothing is checked again

    # a third callback URL is a third call; the second one again is not
    await submit(uow, request(first.essay_id, attempt=3))
    await submit(uow, request(first.essay_id, attempt=3))
    assert len(store.calls) == 2


async def test_a_running_job_asked_again_keeps_running_and_reports_to_the_new_caller():
    uow, store = uow_and_store()
    first = await submit(uow, request())
    await set_status(store, first.id, status=SpellcheckStatus.RUNNING)
    newer = request(first.essay_id, attempt=2)
    again = await submit(uow, newer)
    assert again.callback_url == newer.callback_url and again.run == 1
    assert store.calls == {} and len(store.queued) == 1


async def test_a_repeated_idempotency_key_replays_the_first_answer_without_a_second_effect():
    uow, store = uow_and_store()
    asked = request()
    first = await submit(uow, asked, key="spellcheck:e1:1")
    await set_status(store, first.id, status=SpellcheckStatus.FAILED, reason="boom")
    # the same delivery again (its answer was lost): no re-run, unlike a new request
    replayed = await submit(uow, asked, key="spellcheck:e1:1")
    assert (replayed.id, replayed.run, replayed.status) == (first.id, 1, SpellcheckStatus.FAILED)
    assert len(store.queued) == 1
    rerun = await submit(uow, request(asked.essay_id, attempt=2), key="spellcheck:e1:2")
    assert (rerun.id, rerun.run) == (first.id, 2)
    assert len(store.queued) == 2


async def check_text(text: str, language: str, max_chars: int):
    checked = await CheckText(TextLimit(max_chars)).execute(CheckTextCommand(text, language))
    return checked.check, checked.language


async def test_checking_a_text_directly_validates_size_and_language():
    with pytest.raises(TextTooLong) as too_long:
        await check_text("x" * 11, "en", max_chars=10)
    assert too_long.value.status == 413
    with pytest.raises(UnknownLanguage) as unknown:
        await check_text("Hej", "fi", max_chars=10)
    assert unknown.value.status == 422
    assert unknown.value.extra["supported"] == ["en", "sv"]
    result, language = await check_text("This sentense is wrong.", "en", max_chars=100)
    assert language == "en"
    assert [(c.original, c.suggestion) for c in result.corrections] == [("sentense", "sentence")]
    assert result.corrected_text == "This sentence is wrong."


async def test_auto_checks_a_text_in_the_language_it_is_written_in():
    result, language = await check_text(
        "Jag tyker att det är viktigt att läsa.", "auto", max_chars=1000
    )
    assert language == "sv"
    assert [(c.original, c.suggestion) for c in result.corrections] == [("tyker", "tycker")]


async def test_a_check_honours_ignore_and_names():
    text = "We met Anna Smitth and her frend in Göteborg."
    checked = await CheckText(TextLimit(1000)).execute(CheckTextCommand(text, "en"))
    assert [c.original for c in checked.check.corrections] == ["frend"]  # names left alone
    ignored = await CheckText(TextLimit(1000)).execute(
        CheckTextCommand(text, "en", ignore=("frend",))
    )
    assert ignored.check.corrections == ()


async def test_a_job_is_read_back_as_stored_and_an_unknown_one_is_not_found():
    uow, _ = uow_and_store()
    job = await submit(uow, request())
    assert await GetJob(uow).execute(GetJobCommand(job.id)) == job
    unknown = uuid.uuid4()
    with pytest.raises(NotFound) as missing:
        await GetJob(uow).execute(GetJobCommand(unknown))
    assert str(unknown) in missing.value.detail


def corrections_of(job_id: uuid.UUID, count: int) -> dict[tuple[uuid.UUID, int], StoredCorrection]:
    return {
        (job_id, i): StoredCorrection(job_id, i, 4 * i, 4 * i + 3, "teh", "the", ("the",))
        for i in range(count)
    }


async def test_corrections_are_paged_in_text_order_with_a_cursor_to_the_next_page():
    uow, store = uow_and_store()
    job = await submit(uow, request())
    store.corrections.update(corrections_of(job.id, 5))
    list_corrections = ListCorrections(uow)
    pages, cursor = [], None
    while True:
        page = await list_corrections.execute(ListCorrectionsCommand(job.id, 2, cursor))
        assert page.job_id == job.id
        pages.append([c.position for c in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == [[0, 1], [2, 3], [4]]
    exact = await list_corrections.execute(ListCorrectionsCommand(job.id, 5))
    assert len(exact.items) == 5 and exact.next_cursor is None


async def test_listing_corrections_refuses_bad_cursors_and_limits_and_unknown_jobs():
    uow, _ = uow_and_store()
    job = await submit(uow, request())
    list_corrections = ListCorrections(uow)
    for cursor in ("nonsense", encode_cursor(2**31), encode_cursor(-1), encode_cursor("1")):
        with pytest.raises(InvalidInput):
            await list_corrections.execute(ListCorrectionsCommand(job.id, 10, cursor))
    for limit in (0, 501):
        with pytest.raises(InvalidInput):
            await list_corrections.execute(ListCorrectionsCommand(job.id, limit))
    with pytest.raises(NotFound):
        await list_corrections.execute(ListCorrectionsCommand(uuid.uuid4()))
    empty = await list_corrections.execute(ListCorrectionsCommand(job.id))
    assert (empty.items, empty.next_cursor) == ([], None)
