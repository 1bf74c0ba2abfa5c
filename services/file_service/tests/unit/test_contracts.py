"""Contract tests: every message file_service produces validates with the model its
consumer reads it with (libs/contracts), as the consumer receives it (through JSON).

- the file notices (ready, rejected at upload, rejected after processing) -> essay_lifecycle
  ``FileNoticeIn``; the withdrawal -> essay_lifecycle has no body;
- the documents (``raw_file``, ``extracted_text``) -> content_service ``DocumentIn``;
- the seal's answer -> batch_orchestrator ``IntakeOut``.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from werkzeug.datastructures import FileStorage

from contracts.content import DocumentIn, DocumentKind
from contracts.files import FileNoticeIn, IntakeOut
from service_kit.clock import SystemClock
from services.file_service.app import create_app
from services.file_service.archive import ArchiveLimits
from services.file_service.config import Settings
from services.file_service.domain import EssayLifecycleUrls, FileView, IncomingFile, UploadLimits
from services.file_service.extraction import ExtractionLimits
from services.file_service.peers import HttpContentStore
from services.file_service.repository_memory_impl import MemoryFileStore, MemoryFileUnitOfWork
from services.file_service.tests.fakes import OpenGate, content_answer
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import (
    DeleteFile,
    DeleteFileCommand,
    ProcessFile,
    ProcessFileCommand,
    UploadFiles,
    UploadFilesCommand,
)

ESSAY_LIFECYCLE = EssayLifecycleUrls("http://els")
CLOCK = SystemClock()
LIMITS = ExtractionLimits()
ESSAY = sf.SWEDISH_TEXT.encode()


def as_received(payload: Any) -> Any:
    """The payload as the consumer gets it: through JSON, as the outbox and httpx send it."""
    return json.loads(json.dumps(payload))


class ContentService:
    """content_service behind an httpx transport: records each request's JSON body and
    answers as content_service does."""

    def __init__(self) -> None:
        self.documents: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/documents":
            self.documents.append(json.loads(request.content))
        return httpx.Response(201, json=content_answer("c" * 64))


@pytest.fixture
def store() -> MemoryFileStore:
    return MemoryFileStore()


@pytest_asyncio.fixture
async def content() -> AsyncIterator[tuple[ContentService, HttpContentStore]]:
    service = ContentService()
    async with httpx.AsyncClient(transport=httpx.MockTransport(service)) as client:
        yield service, HttpContentStore(client, "http://content")


async def upload(store: MemoryFileStore, *files: IncomingFile) -> list[FileView]:
    uploading = UploadFiles(
        MemoryFileUnitOfWork(store),
        OpenGate(),
        ESSAY_LIFECYCLE,
        LIMITS,
        ArchiveLimits(),
        UploadLimits(),
        CLOCK,
    )
    return await uploading.execute(UploadFilesCommand("b1", list(files)))


async def process(store: MemoryFileStore, content: HttpContentStore, view: FileView) -> None:
    processing = ProcessFile(MemoryFileUnitOfWork(store), content, ESSAY_LIFECYCLE, LIMITS, CLOCK)
    await processing.execute(ProcessFileCommand(view.file.id, 1))


def notice_of(store: MemoryFileStore, view: FileView) -> FileNoticeIn:
    method, url, body = store.calls[f"file:{view.file.id}:v1"]
    assert (method, url) == ("POST", "http://els/internal/v1/batches/b1/essays")
    return FileNoticeIn.model_validate(as_received(body))


async def test_the_ready_notice_and_the_documents_validate(store, content):
    service, http_content = content
    (view,) = await upload(store, IncomingFile("uppsats.txt", ESSAY))
    await process(store, http_content, view)

    notice = notice_of(store, view)
    assert (notice.file_id, notice.version) == (str(view.file.id), 1)
    assert notice.text_content_id == notice.raw_content_id == "c" * 64
    assert notice.error_code is None

    raw, text = (DocumentIn.model_validate(as_received(d)) for d in service.documents)
    assert (raw.kind, raw.content_id, raw.text) == (DocumentKind.RAW_FILE, "c" * 64, None)
    assert text.kind is DocumentKind.EXTRACTED_TEXT and text.content_id is None
    assert text.text == sf.SWEDISH_TEXT.strip()
    for document in (raw, text):
        assert (document.batch_id, document.filename) == ("b1", "uppsats.txt")
        assert document.metadata == {
            "file_id": str(view.file.id),
            "version": 1,
            "sha256": view.version.sha256,
        }


async def test_a_notice_of_a_file_rejected_at_upload_validates(store):
    good, bad = await upload(
        store, IncomingFile("essay.txt", ESSAY), IncomingFile("~$essay.docx", b"lock")
    )
    notice = notice_of(store, bad)
    assert (notice.error_code, notice.filename) == ("lock_file", "~$essay.docx")
    assert notice.error_message and notice.text_content_id is None
    assert f"file:{good.file.id}:v1" not in store.calls  # the good one waits for its job


async def test_a_notice_of_a_file_rejected_by_processing_validates(store, content):
    _, http_content = content
    (view,) = await upload(store, IncomingFile("short.txt", "För kort.".encode()))
    await process(store, http_content, view)
    notice = notice_of(store, view)
    assert notice.error_code == "text_too_short"
    assert notice.raw_content_id is None


async def test_the_withdrawal_has_no_body(store):
    (view,) = await upload(store, IncomingFile("essay.txt", ESSAY))
    deleting = DeleteFile(MemoryFileUnitOfWork(store), OpenGate(), ESSAY_LIFECYCLE, CLOCK)
    await deleting.execute(DeleteFileCommand(view.file.id))
    method, url, body = store.calls[f"file:{view.file.id}:deleted"]
    assert (method, url, body) == (
        "DELETE",
        f"http://els/internal/v1/batches/b1/files/{view.file.id}",
        None,
    )


async def test_the_seal_answer_validates_as_the_orchestrator_reads_it():
    app = create_app(Settings(repository="memory"))
    async with app.test_app():
        client = app.test_client()
        uploaded = await client.post(
            "/v1/batches/b1/files", files={"f": _file_storage("essay.txt", ESSAY)}
        )
        assert uploaded.status_code == 202
        answer = await client.post("/internal/v1/batches/b1/seal")
        assert answer.status_code == 200
        intake = IntakeOut.model_validate(as_received(await answer.get_json()))
    assert intake == IntakeOut(
        batch_id="b1", sealed=False, files=1, processing=1, ready=0, rejected=0
    )


def _file_storage(name: str, data: bytes) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type="text/plain")
