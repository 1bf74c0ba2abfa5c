"""file_service and spell_checker -> content_service: documents, and the answers they
read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.content import BlobOut, DocumentIn, DocumentKind, DocumentOut
from contracts.tests.helpers import Recorder, as_json, refuses, with_unknown_field
from services.file_service.peers import HttpContentStore as FileContentStore
from services.spell_checker.domain import SpellcheckJob
from services.spell_checker.peers import HttpContentStore as SpellContentStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def document_answer(kind: DocumentKind = DocumentKind.EXTRACTED_TEXT) -> dict[str, Any]:
    # content_service/schemas.py: document_out a stored document
    return DocumentOut(
        id=uuid.uuid4(),
        content_id="e" * 64,
        sha256="e" * 64,
        kind=kind,
        batch_id="b",
        essay_id=None,
        filename="essay.docx",
        metadata={},
        version=1,
        size=12,
        content_type="text/plain; charset=utf-8",
        created_at=NOW,
        updated_at=NOW,
        deleted_at=None,
    ).model_dump(mode="json")


async def test_file_service_documents_validate() -> None:
    # file_service/peers.py: HttpContentStore.create_document, as processing._store calls it
    recorder = Recorder(document_answer())
    async with recorder.client() as client:
        store = FileContentStore(client, "http://content")
        metadata = {"file_id": str(uuid.uuid4()), "version": 1, "sha256": "0" * 64}
        raw = await store.create_document(
            kind="raw_file",
            batch_id="b",
            filename="x" * 600,
            metadata=metadata,
            idempotency_key="k:raw",
            content_id="f" * 64,
        )
        text = await store.create_document(
            kind="extracted_text",
            batch_id="b",
            filename="essay.docx",
            metadata=metadata,
            idempotency_key="k:text",
            text="An essay.",
        )
    assert raw == text == "e" * 64
    raw_doc, text_doc = (DocumentIn.model_validate(b) for b in recorder.bodies)
    assert raw_doc.kind is DocumentKind.RAW_FILE and raw_doc.filename == "x" * 512
    assert text_doc.text == "An essay." and text_doc.content_id is None


async def test_spell_checker_document_validates() -> None:
    # spell_checker/peers.py: HttpContentStore.store_corrected_text
    recorder = Recorder(document_answer(DocumentKind.CORRECTED_TEXT))
    job = SpellcheckJob(uuid.uuid4(), str(uuid.uuid4()), "b", "c" * 64, "en", "http://els/cb")
    async with recorder.client() as client:
        store = SpellContentStore(client, "http://content")
        assert await store.store_corrected_text(job, "Fixed text.", "k") == "e" * 64
    document = DocumentIn.model_validate(recorder.bodies[0])
    assert document.kind is DocumentKind.CORRECTED_TEXT
    assert document.essay_id == job.essay_id


def test_document_refuses_unknown_fields_and_bad_values() -> None:
    body = {"kind": "extracted_text", "text": "t", "batch_id": "b", "metadata": {}}
    assert DocumentIn.model_validate(body).text == "t"
    refuses(DocumentIn, with_unknown_field(body))
    refuses(DocumentIn, {**body, "kind": "novel"})
    refuses(DocumentIn, {**body, "text": "a\x00"})
    refuses(DocumentIn, {**body, "metadata": {"k": "a\x00"}})
    refuses(DocumentIn, {**body, "content_id": "c"})  # both sources
    refuses(DocumentIn, {**body, "batch_id": "x" * 65})


def test_answers_validate() -> None:
    read = DocumentOut.model_validate(as_json(document_answer()))
    assert read.content_id == "e" * 64
    blob = BlobOut(content_id="f" * 64, size=3, content_type="application/pdf")
    assert BlobOut.model_validate(blob.model_dump()).content_id == "f" * 64
    refuses(BlobOut, {"size": 3, "content_type": "x"})
