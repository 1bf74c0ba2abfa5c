"""content_service as the job calls it: the platform's one retry policy decides what is
tried again (ContentUnavailable), a 404 is missing content, every other refusal is final,
and an answer that is not content_service's DocumentOut is not trusted."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from services.spell_checker.domain import (
    ContentMissing,
    ContentRefused,
    ContentUnavailable,
    SpellcheckJob,
)
from services.spell_checker.peers import HttpContentStore

JOB = SpellcheckJob(uuid.uuid4(), "essay-7", "b1", "c" * 64, "en", "http://els/cb")


def store_answering(answer: Callable[[httpx.Request], httpx.Response]) -> HttpContentStore:
    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return HttpContentStore(client, "http://content/")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, ContentUnavailable),
        (503, ContentUnavailable),
        (408, ContentUnavailable),
        (409, ContentUnavailable),
        (425, ContentUnavailable),
        (429, ContentUnavailable),
        (404, ContentMissing),
        (400, ContentRefused),
        (403, ContentRefused),
        (413, ContentRefused),
        (422, ContentRefused),
    ],
)
async def test_answers_are_sorted_by_the_one_retry_policy(status: int, error: type[Exception]):
    store = store_answering(lambda request: httpx.Response(status, text="nope"))
    with pytest.raises(error):
        await store.fetch_text("c" * 64)
    with pytest.raises(error):
        await store.store_corrected_text(JOB, "Text.", "key")


async def test_a_peer_that_cannot_be_reached_is_unavailable():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ContentUnavailable, match="ConnectError"):
        await store_answering(refuse).fetch_text("c" * 64)


async def test_the_text_is_read_as_utf8_and_anything_else_is_refused():
    texts = {"/v1/content/good": "Smörgås".encode(), "/v1/content/bad": b"\xff\xfe"}
    store = store_answering(lambda request: httpx.Response(200, content=texts[request.url.path]))
    assert await store.fetch_text("good") == "Smörgås"
    with pytest.raises(ContentRefused, match="not UTF-8"):
        await store.fetch_text("bad")


async def test_an_answer_that_is_not_a_document_is_not_trusted():
    store = store_answering(lambda request: httpx.Response(201, json={"content_id": "e" * 64}))
    with pytest.raises(ContentUnavailable, match="unreadable answer"):
        await store.store_corrected_text(JOB, "Text.", "key")


async def test_a_corrected_text_content_service_would_refuse_fails_at_once():
    store = store_answering(lambda request: httpx.Response(500))
    with pytest.raises(ContentRefused, match="cannot be a document"):
        await store.store_corrected_text(JOB, "bad\x00text", "key")
