"""The process_file job against the in-memory unit of work and a hand-written content store."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from service_kit.clock import SystemClock
from services.file_service.archive import ArchiveLimits
from services.file_service.domain import (
    PROCESSING_FAILED,
    EssayLifecycleUrls,
    FileStatus,
    FileView,
    IncomingFile,
    UploadLimits,
)
from services.file_service.extraction import ExtractionLimits, count_words
from services.file_service.protocols import ContentRefused, ContentUnavailable
from services.file_service.repository_memory_impl import MemoryFileStore, MemoryFileUnitOfWork
from services.file_service.tests.fakes import FakeContentStore, OpenGate
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import (
    DeleteFile,
    DeleteFileCommand,
    GiveUpOnFile,
    GiveUpOnFileCommand,
    ProcessFile,
    ProcessFileCommand,
    UploadFiles,
    UploadFilesCommand,
)

ELS = "http://els"
ESSAY_LIFECYCLE = EssayLifecycleUrls(ELS)
CLOCK = SystemClock()
LIMITS = ExtractionLimits()
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def store() -> MemoryFileStore:
    return MemoryFileStore()


@pytest.fixture
def content() -> FakeContentStore:
    return FakeContentStore()


def uow(store: MemoryFileStore) -> MemoryFileUnitOfWork:
    return MemoryFileUnitOfWork(store)


async def stored(store: MemoryFileStore, filename: str, data: bytes) -> FileView:
    uploading = UploadFiles(
        uow(store), OpenGate(), ESSAY_LIFECYCLE, LIMITS, ArchiveLimits(), UploadLimits(), CLOCK
    )
    (view,) = await uploading.execute(UploadFilesCommand("b1", [IncomingFile(filename, data)]))
    assert view.version.status is FileStatus.PROCESSING
    return view


async def run(
    store: MemoryFileStore, content: FakeContentStore, view: FileView, *, last_attempt=False
) -> None:
    await process(store, content, view.file.id, 1, last_attempt=last_attempt)


async def process(
    store: MemoryFileStore,
    content: FakeContentStore,
    file_id: uuid.UUID,
    version: int,
    *,
    last_attempt: bool = False,
) -> None:
    processing = ProcessFile(uow(store), content, ESSAY_LIFECYCLE, LIMITS, CLOCK)
    await processing.execute(ProcessFileCommand(file_id, version, last_attempt))


async def give_up(store: MemoryFileStore, file_id: uuid.UUID, version: int, reason: str) -> None:
    giving_up = GiveUpOnFile(uow(store), ESSAY_LIFECYCLE, CLOCK)
    await giving_up.execute(GiveUpOnFileCommand(file_id, version, reason))


async def delete(store: MemoryFileStore, file_id: uuid.UUID) -> None:
    deleting = DeleteFile(uow(store), OpenGate(), ESSAY_LIFECYCLE, CLOCK)
    await deleting.execute(DeleteFileCommand(file_id))


def version_of(store: MemoryFileStore, view: FileView):
    return store.versions[(view.file.id, view.version.version)]


def key_of(view: FileView) -> str:
    return f"file:{view.file.id}:v{view.version.version}"


async def test_a_good_docx_becomes_ready_and_essay_lifecycle_is_told(store, content):
    data = sf.make_docx(sf.ESSAY_PARAGRAPHS, [["Källa", "År"], ["SMHI", "2024"]])
    view = await stored(store, "uppsats.docx", data)
    await run(store, content, view)

    version, staged = version_of(store, view)
    assert staged is None  # the staged bytes are dropped once content_service has them
    assert version.status is FileStatus.READY
    assert version.kind == "docx"
    assert version.raw_content_id == hashlib.sha256(data).hexdigest()
    text, _ = content.blobs[version.text_content_id]
    extracted = text.decode()
    assert "Climate change is one of the defining challenges" in extracted
    assert "Källa År\nSMHI 2024" in extracted  # a table row per line
    assert version.text_content_id == hashlib.sha256(text).hexdigest()
    assert version.char_count == len(extracted)
    assert version.word_count == count_words(extracted) > 50
    assert version.extraction_ms is not None and version.extraction_ms >= 0
    assert version.processed_at is not None
    assert content.blobs[version.raw_content_id] == (data, DOCX_MEDIA_TYPE)

    key = key_of(view)
    assert set(content.documents) == {f"{key}:raw", f"{key}:text"}
    raw, extracted_doc = content.documents[f"{key}:raw"], content.documents[f"{key}:text"]
    assert raw["kind"] == "raw_file" and raw["content_id"] == version.raw_content_id
    assert extracted_doc["kind"] == "extracted_text"
    assert extracted_doc["content_id"] == version.text_content_id
    metadata = {"file_id": str(view.file.id), "version": 1, "sha256": version.sha256}
    for document in (raw, extracted_doc):
        assert document["batch_id"] == "b1"
        assert document["filename"] == "uppsats.docx"
        assert document["metadata"] == metadata

    assert store.calls == {
        key: (
            "POST",
            f"{ELS}/internal/v1/batches/b1/essays",
            {
                "file_id": str(view.file.id),
                "filename": "uppsats.docx",
                "version": 1,
                "text_content_id": version.text_content_id,
                "raw_content_id": version.raw_content_id,
            },
        )
    }


async def test_running_the_job_twice_does_everything_once(store, content):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    await run(store, content, view)
    requests, calls, ready = list(content.requests), dict(store.calls), version_of(store, view)
    await run(store, content, view)
    assert content.requests == requests  # the second run saw the work done and stopped
    assert store.calls == calls and len(calls) == 1
    assert version_of(store, view) == ready


async def test_a_retry_after_a_failure_midway_reuses_the_idempotency_keys(store, content):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    content.failures["extracted_text"] = ContentUnavailable("connection reset")
    with pytest.raises(ContentUnavailable):
        await run(store, content, view)
    version, staged = version_of(store, view)
    assert version.status is FileStatus.PROCESSING  # nothing recorded: the job is retried
    assert staged == sf.SWEDISH_TEXT.encode()
    assert store.calls == {}
    first_keys = [k for _, k in content.requests if k]

    await run(store, content, view)
    keys = [k for _, k in content.requests if k]
    assert keys[len(first_keys) :] == [f"{key_of(view)}:raw", f"{key_of(view)}:text"]
    assert first_keys == keys[: len(first_keys)]
    assert len(content.documents) == 2  # the repeated raw_file key made no second document
    assert version_of(store, view)[0].status is FileStatus.READY
    assert list(store.calls) == [key_of(view)]


async def test_too_short_text_is_rejected_with_a_rejection_call(store, content):
    view = await stored(store, "short.txt", "Alldeles för kort.".encode())
    await run(store, content, view)
    version, staged = version_of(store, view)
    assert staged is None
    assert version.status is FileStatus.REJECTED
    assert version.error_code == "text_too_short"
    assert "at least 50" in (version.error_message or "")
    assert content.requests == []  # nothing goes to content_service
    method, url, body = store.calls[key_of(view)]
    assert (method, url) == ("POST", f"{ELS}/internal/v1/batches/b1/essays")
    assert body == {
        "file_id": str(view.file.id),
        "filename": "short.txt",
        "version": 1,
        "error_code": "text_too_short",
        "error_message": version.error_message,
    }


@pytest.mark.parametrize("operation", ["store_blob", "raw_file", "extracted_text"])
async def test_content_service_unavailable_is_retried_until_the_last_attempt(
    store, content, operation
):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    content.failures[operation] = ContentUnavailable("HTTP 503")
    with pytest.raises(ContentUnavailable):
        await run(store, content, view)
    assert version_of(store, view)[0].status is FileStatus.PROCESSING
    assert store.calls == {}

    content.failures[operation] = ContentUnavailable("HTTP 503")
    await run(store, content, view, last_attempt=True)
    version, staged = version_of(store, view)
    assert version.status is FileStatus.REJECTED
    assert version.error_code == PROCESSING_FAILED
    assert "content_service unavailable" in (version.error_message or "")
    assert staged is None
    assert store.calls[key_of(view)][2]["error_code"] == PROCESSING_FAILED


async def test_content_service_refusing_rejects_the_file(store, content):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    content.failures["raw_file"] = ContentRefused("HTTP 422 from /v1/documents")
    await run(store, content, view)  # not the last attempt, yet final: a retry cannot help
    version, _ = version_of(store, view)
    assert version.status is FileStatus.REJECTED
    assert version.error_code == PROCESSING_FAILED
    assert "HTTP 422" in (version.error_message or "")
    body = store.calls[key_of(view)][2]
    assert body["error_code"] == PROCESSING_FAILED
    assert "text_content_id" not in body


async def test_a_file_deleted_before_processing_is_finished_without_any_call(store, content):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    await delete(store, view.file.id)
    calls_before = dict(store.calls)
    await run(store, content, view)
    version, staged = version_of(store, view)
    assert version.status is FileStatus.REJECTED
    assert version.error_code == "deleted"
    assert staged is None
    assert content.requests == []
    assert store.calls == calls_before  # only the withdrawal sent by the delete itself
    assert list(store.calls) == [f"file:{view.file.id}:deleted"]


async def test_a_file_deleted_while_it_is_processed_is_not_reported_ready(store, content):
    """The user deletes the file while the job is in content_service (a request of its own):
    essay_lifecycle is told the file is withdrawn, and must not hear it is ready after that."""
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())

    async def delete_meanwhile() -> None:
        await delete(store, view.file.id)

    content.before["extracted_text"] = delete_meanwhile
    await run(store, content, view)

    assert store.files[view.file.id].deleted_at is not None
    assert f"file:{view.file.id}:deleted" in store.calls
    assert key_of(view) not in store.calls, (
        "a withdrawn file was reported to essay_lifecycle as a ready essay: "
        f"{store.calls.get(key_of(view))}"
    )
    assert version_of(store, view)[1] is None  # the staged bytes are dropped all the same


async def test_an_unknown_file_or_version_is_ignored(store, content):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    await process(store, content, uuid.uuid4(), 1)
    await process(store, content, view.file.id, 9)
    assert content.requests == [] and store.calls == {}
    assert version_of(store, view)[0].status is FileStatus.PROCESSING


async def test_giving_up_rejects_a_file_still_processing_and_tells_essay_lifecycle(store):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    await give_up(store, view.file.id, 1, "processing kept crashing")
    version, staged = version_of(store, view)
    assert (version.status, version.error_code) == (FileStatus.REJECTED, PROCESSING_FAILED)
    assert version.error_message == "processing kept crashing"
    assert staged is None
    assert store.calls[key_of(view)][2]["error_code"] == PROCESSING_FAILED


async def test_giving_up_leaves_a_finished_file_alone(store, content):
    view = await stored(store, "essay.txt", sf.SWEDISH_TEXT.encode())
    await run(store, content, view)
    ready, calls = version_of(store, view), dict(store.calls)
    await give_up(store, view.file.id, 1, "too late")
    await give_up(store, uuid.uuid4(), 1, "unknown file")
    assert version_of(store, view) == ready
    assert store.calls == calls
