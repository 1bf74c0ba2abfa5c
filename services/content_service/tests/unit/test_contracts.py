"""The answers content_service gives that its peers read back validate with the contract
models those peers use: BlobOut (file_service, after POST /v1/content) and DocumentOut
(file_service and spell_checker, after POST /v1/documents). Built by the real routes, on
the in-memory storage, and read as the peers read them: JSON through the contract model."""

import hashlib
from collections.abc import AsyncIterator

import pytest_asyncio
from quart import Quart

from contracts.content import BlobOut, DocumentIn, DocumentKind, DocumentOut
from service_kit.settings import RepositoryKind
from services.content_service.app import create_app
from services.content_service.config import Settings


@pytest_asyncio.fixture
async def app() -> AsyncIterator[Quart]:
    app = create_app(Settings(repository=RepositoryKind.MEMORY))
    async with app.test_app():
        yield app


def read_as_a_peer(model, body):
    """What a peer's client does with the answer: every field it names, nothing else."""
    assert set(body) == set(model.model_fields), set(body) ^ set(model.model_fields)
    return model.model_validate(body)


async def test_the_blob_answer_is_a_blob_out(app: Quart):
    client = app.test_client()
    for status in (201, 200):  # stored, then the same bytes again (dedup)
        stored = await client.post(
            "/v1/content", data=b"raw file", headers={"Content-Type": "application/pdf"}
        )
        assert stored.status_code == status
        blob = read_as_a_peer(BlobOut, await stored.get_json())
        assert blob == BlobOut(
            content_id=hashlib.sha256(b"raw file").hexdigest(),
            size=8,
            content_type="application/pdf",
        )


async def test_the_document_answer_is_a_document_out(app: Quart):
    client = app.test_client()
    stored = await client.post("/v1/content", data=b"raw file")
    content_id = (await stored.get_json())["content_id"]
    # the two documents file_service makes, and spell_checker's corrected text, as DocumentIn
    requests = [
        DocumentIn(kind=DocumentKind.RAW_FILE, content_id=content_id, batch_id="b", filename="a"),
        DocumentIn(kind=DocumentKind.EXTRACTED_TEXT, text="An essay.", batch_id="b"),
        DocumentIn(kind=DocumentKind.CORRECTED_TEXT, text="Fixed.", essay_id="e", metadata={}),
    ]
    for i, request in enumerate(requests):
        headers = {"Idempotency-Key": f"k:{i}"}
        body = request.model_dump(mode="json", exclude_unset=True)
        for _ in range(2):  # a repeat with the same key answers the same document
            made = await client.post("/v1/documents", json=body, headers=headers)
            assert made.status_code == 201
            document = read_as_a_peer(DocumentOut, await made.get_json())
            assert document.kind is request.kind
            assert document.content_id == document.sha256
            if request.text is not None:
                assert document.content_id == hashlib.sha256(request.text.encode()).hexdigest()
            else:
                assert document.content_id == content_id
