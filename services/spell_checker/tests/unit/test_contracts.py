"""What spell_checker produces validates with the model its consumer reads it with: the
spellcheck result callback (essay_lifecycle's ``SpellcheckResultIn``) and the corrected-text
document (content_service's ``DocumentIn``). Payloads are built by the service's own code
and pass through JSON, as the outbox and httpx send them."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts.content import DocumentIn, DocumentKind, DocumentOut
from contracts.spellcheck import SpellcheckFigures, SpellcheckResultIn
from service_kit.clock import SettableClock
from services.spell_checker.config import JobAttempts, TextLimit
from services.spell_checker.domain import (
    JobRequest,
    SpellcheckJob,
    SpellcheckStatus,
    callback_body,
)
from services.spell_checker.peers import HttpContentStore
from services.spell_checker.repository_memory_impl import (
    MemorySpellcheckStore,
    MemorySpellcheckUnitOfWork,
)
from services.spell_checker.tests.unit.fakes import FakeContent
from services.spell_checker.use_cases import (
    GiveUpSpellcheck,
    GiveUpSpellcheckCommand,
    RequestSpellcheck,
    RequestSpellcheckCommand,
    RunSpellcheck,
    RunSpellcheckCommand,
)

CLOCK = SettableClock()
ESSAY = "Jag tyker om att läsa böcker."
CONTENT_ID = hashlib.sha256(ESSAY.encode()).hexdigest()


def as_sent(payload: Any) -> Any:
    return json.loads(json.dumps(payload))


async def ask(store: MemorySpellcheckStore, attempt: int = 1) -> SpellcheckJob:
    request = JobRequest(
        essay_id="essay-7",
        batch_id="b1",
        content_id=CONTENT_ID,
        language="auto",
        callback_url=f"http://els/internal/v1/essays/essay-7/spellcheck-result?attempt={attempt}",
    )
    uow = MemorySpellcheckUnitOfWork(store)
    return await RequestSpellcheck(uow, JobAttempts(5), CLOCK).execute(
        RequestSpellcheckCommand(request)
    )


def callbacks(store: MemorySpellcheckStore) -> list[SpellcheckResultIn]:
    """Every callback in the outbox, read as essay_lifecycle reads it."""
    return [SpellcheckResultIn.model_validate(as_sent(body)) for _, _, body in store.calls.values()]


async def test_the_succeeded_callback_validates_and_carries_every_figure():
    store = MemorySpellcheckStore()
    job = await ask(store)
    uow = MemorySpellcheckUnitOfWork(store)
    content = FakeContent({CONTENT_ID: ESSAY})
    await RunSpellcheck(uow, content, TextLimit(1000), CLOCK).execute(
        RunSpellcheckCommand(job.id, job.run)
    )
    done = store.jobs[job.id]
    (result,) = callbacks(store)
    assert result.status == "succeeded" and result.reason is None
    # what essay_lifecycle keeps as the essay's spelling, exactly what was sent
    figures = SpellcheckFigures.model_validate(
        result.model_dump(exclude={"status", "reason"}, exclude_unset=True)
    )
    assert figures == SpellcheckFigures(
        job_id=str(job.id),
        language="sv",
        corrected_text_content_id=done.corrected_text_content_id,
        word_count=done.word_count,
        error_count=1,
        errors_per_100_words=done.errors_per_100_words,
        corrections_count=1,
        corrected_count=done.corrected_count,
        flagged_count=done.flagged_count,
        unknown_count=0,
    )
    # the one error is either written into the corrected text or flagged, never both
    assert (figures.corrected_count, figures.flagged_count) in ((1, 0), (0, 1))

    # the same result sent again to a newer callback URL: the same message
    await ask(store, attempt=2)
    first, again = callbacks(store)
    assert again == first


async def test_the_failed_callback_validates_with_its_reason_only():
    store = MemorySpellcheckStore()
    job = await ask(store)
    uow = MemorySpellcheckUnitOfWork(store)
    await GiveUpSpellcheck(uow, CLOCK).execute(
        GiveUpSpellcheckCommand(job.id, job.run, "gave up: the check kept crashing its workers")
    )
    (result,) = callbacks(store)
    assert result.model_dump(exclude_unset=True) == {
        "status": "failed",
        "job_id": str(job.id),
        "reason": "gave up: the check kept crashing its workers",
    }


def document_answer(body: dict[str, Any]) -> dict[str, Any]:
    """content_service's answer to POST /v1/documents, as its DocumentOut dumps it."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return DocumentOut(
        id=uuid.uuid4(),
        content_id="e" * 64,
        sha256="e" * 64,
        kind=DocumentKind(body["kind"]),
        batch_id=body.get("batch_id"),
        essay_id=body.get("essay_id"),
        filename=None,
        metadata=body.get("metadata", {}),
        version=1,
        size=len(body["text"].encode()),
        content_type="text/plain; charset=utf-8",
        created_at=at,
        updated_at=at,
        deleted_at=None,
    ).model_dump(mode="json")


async def test_the_corrected_text_document_validates_and_its_answer_is_read():
    sent: list[httpx.Request] = []

    def content_service(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json=document_answer(json.loads(request.content)))

    job = SpellcheckJob(uuid.uuid4(), "essay-7", "b1", "c" * 64, "sv", "http://els/cb")
    async with httpx.AsyncClient(transport=httpx.MockTransport(content_service)) as client:
        store = HttpContentStore(client, "http://content")
        content_id = await store.store_corrected_text(job, "Jag tycker om att läsa.", "key-1")
    assert content_id == "e" * 64
    (request,) = sent
    assert (request.method, request.url.path) == ("POST", "/v1/documents")
    assert request.headers["Idempotency-Key"] == "key-1"
    document = DocumentIn.model_validate(json.loads(request.content))
    assert document == DocumentIn(
        kind=DocumentKind.CORRECTED_TEXT,
        text="Jag tycker om att läsa.",
        batch_id="b1",
        essay_id="essay-7",
        metadata={
            "spellcheck_job_id": str(job.id),
            "source_content_id": "c" * 64,
            "language": "sv",
        },
    )
    assert set(json.loads(request.content)) == {"kind", "text", "batch_id", "essay_id", "metadata"}


def test_a_job_with_no_outcome_yet_has_no_callback():
    job = SpellcheckJob(uuid.uuid4(), "e", "b", "c", "en", "http://els/cb")
    assert job.status is SpellcheckStatus.QUEUED
    with pytest.raises(ValueError, match="no outcome yet"):
        callback_body(job)
