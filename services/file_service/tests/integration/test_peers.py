"""The HTTP adapters for content_service and the orchestrator's gate, against real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from pydantic import ValidationError

from contracts.content import DocumentKind
from service_kit.errors import Conflict, NotFound, PeerUnavailable
from service_kit.postgres_server import free_port
from service_kit.testing.receiver import Receiver, serving
from services.file_service.peers import HttpContentStore, OrchestratorGate
from services.file_service.protocols import ContentRefused, ContentUnavailable
from services.file_service.tests.fakes import content_answer, gate_answer


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def test_content_store_sends_what_content_service_expects(client):
    async with serving(Receiver(reply=content_answer("a" * 64))) as content:
        store = HttpContentStore(client, content.url + "/")
        assert await store.store_blob(b"%PDF-1.7 bytes", "application/pdf") == "a" * 64
        text_id = await store.create_document(
            kind="extracted_text",
            batch_id="b1",
            filename="x" * 600,
            metadata={"file_id": "f", "version": 1},
            idempotency_key="file:f:v1:text",
            text="Sjöar och älvar",
        )
        assert text_id == "a" * 64
        await store.create_document(
            kind="raw_file",
            batch_id="b1",
            filename="essay.pdf",
            metadata={},
            idempotency_key="file:f:v1:raw",
            content_id="b" * 64,
        )
    blob, text, raw = content.received
    assert (blob.method, blob.path) == ("POST", "/v1/content")
    assert (text.method, text.path, text.idempotency_key) == (
        "POST",
        "/v1/documents",
        "file:f:v1:text",
    )
    assert text.body == {
        "kind": "extracted_text",
        "batch_id": "b1",
        "filename": "x" * 512,  # content_service's limit
        "metadata": {"file_id": "f", "version": 1},
        "text": "Sjöar och älvar",
    }
    assert raw.body["content_id"] == "b" * 64 and "text" not in raw.body


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (503, ContentUnavailable),
        (500, ContentUnavailable),
        (429, ContentUnavailable),
        (409, ContentUnavailable),
        (425, ContentUnavailable),
        (408, ContentUnavailable),
        (422, ContentRefused),
        (413, ContentRefused),
        (400, ContentRefused),
    ],
)
async def test_content_store_maps_answers_to_retry_or_refusal(client, status, error):
    async with serving(Receiver(fail_next=1, fail_status=status)) as content:
        with pytest.raises(error, match=str(status)):
            await HttpContentStore(client, content.url).store_blob(b"x", "text/plain")


async def test_an_unreachable_content_service_is_unavailable(client):
    store = HttpContentStore(client, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ContentUnavailable):
        await store.store_blob(b"x", "text/plain")


async def test_the_gate_lets_files_in_until_the_pipeline_starts(client):
    async with serving(Receiver(reply=gate_answer(False))) as bos:
        gate = OrchestratorGate(client, bos.url)
        await gate.ensure_open("b1")
        bos.reply = gate_answer(True)
        with pytest.raises(Conflict):
            await gate.ensure_open("b1")
        bos.fail_next, bos.fail_status = 1, 404
        with pytest.raises(NotFound):
            await gate.ensure_open("b2")
        bos.fail_next, bos.fail_status = 1, 503
        with pytest.raises(PeerUnavailable) as unavailable:
            await gate.ensure_open("b1")
    assert unavailable.value.extra["retry_after"] > 0
    assert [r.path for r in bos.received] == [
        "/internal/v1/batches/b1",
        "/internal/v1/batches/b1",
        "/internal/v1/batches/b2",
        "/internal/v1/batches/b1",
    ]


@pytest.mark.parametrize(
    "answer",
    [{"pipeline_started": False}, {"batch_id": "b1", "status": "x"}, "not json", [1, 2]],
    ids=["fields-missing", "no-pipeline-started", "not-json", "a-list"],
)
async def test_a_gate_answer_we_cannot_read_is_unavailable_not_open(client, answer):
    async with serving(Receiver(reply=answer)) as bos:
        with pytest.raises(PeerUnavailable) as unavailable:
            await OrchestratorGate(client, bos.url).ensure_open("b1")
    assert unavailable.value.extra["retry_after"] > 0


async def test_a_content_answer_without_its_fields_is_not_read_as_an_id(client):
    """content_service's answers are read through BlobOut and DocumentOut, never with a
    guess: an answer missing its fields fails the attempt (the job tries again)."""
    async with serving(Receiver(reply={"content_id": "a" * 64})) as content:
        store = HttpContentStore(client, content.url)
        with pytest.raises(ValidationError):
            await store.store_blob(b"x", "text/plain")
        with pytest.raises(ValidationError):
            await store.create_document(
                kind=DocumentKind.EXTRACTED_TEXT,
                batch_id="b1",
                filename="e.txt",
                metadata={},
                idempotency_key="k",
                text="t",
            )


async def test_an_unreachable_orchestrator_is_unavailable_not_open(client):
    gate = OrchestratorGate(client, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(PeerUnavailable):
        await gate.ensure_open("b1")
