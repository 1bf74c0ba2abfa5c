"""The process_file job's entry point, through the service's own container (in memory): it
runs ProcessFile, and (service_kit's give-up wrapper) GiveUpOnFile when the job's workers
kept dying or its last attempt failed, with file_service's own wording."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from dishka import AsyncContainer, Provider, Scope, make_async_container

from service_kit.di import ClockProvider
from service_kit.messaging.jobs import Job
from services.file_service.config import Settings
from services.file_service.di import providers
from services.file_service.domain import PROCESS_FILE, PROCESSING_FAILED, FileStatus, IncomingFile
from services.file_service.jobs import run_process_file
from services.file_service.protocols import ContentStore
from services.file_service.repository_memory_impl import MemoryFileStore
from services.file_service.tests.fakes import FakeContentStore
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import UploadFiles, UploadFilesCommand

ESSAY = sf.SWEDISH_TEXT.encode()


@pytest.fixture
def content() -> FakeContentStore:
    return FakeContentStore()


@pytest_asyncio.fixture
async def container(content: FakeContentStore) -> AsyncIterator[AsyncContainer]:
    settings = Settings(repository="memory", essay_lifecycle_url="http://els")
    fake = Provider(scope=Scope.APP)
    fake.provide(lambda: content, provides=ContentStore)
    container = make_async_container(ClockProvider(), *providers(settings), fake)
    yield container
    await container.close()


async def stored(container: AsyncContainer) -> tuple[MemoryFileStore, uuid.UUID]:
    async with container() as scope:
        uploading = await scope.get(UploadFiles)
        (view,) = await uploading.execute(
            UploadFilesCommand("b1", [IncomingFile("essay.txt", ESSAY)])
        )
    return await container.get(MemoryFileStore), view.file.id


def job(file_id: uuid.UUID, attempts: int, max_attempts: int = 3) -> Job:
    payload = {"file_id": str(file_id), "version": 1}
    return Job(uuid.uuid4(), PROCESS_FILE, payload, attempts, max_attempts, None)


async def test_a_job_runs_the_file_through_to_ready(container, content):
    store, file_id = await stored(container)
    await run_process_file(job(file_id, attempts=1), container)
    version, staged = store.versions[(file_id, 1)]
    assert (version.status, staged) == (FileStatus.READY, None)
    assert len(content.documents) == 2
    assert store.calls[f"file:{file_id}:v1"][0:2] == (
        "POST",
        "http://els/internal/v1/batches/b1/essays",
    )


async def test_an_exhausted_job_gives_up_on_the_file(container, content):
    store, file_id = await stored(container)
    await run_process_file(job(file_id, attempts=4), container)
    version, staged = store.versions[(file_id, 1)]
    assert (version.status, version.error_code) == (FileStatus.REJECTED, PROCESSING_FAILED)
    assert version.error_message == "processing kept crashing"
    assert staged is None and content.requests == []
    assert store.calls[f"file:{file_id}:v1"][2]["error_code"] == PROCESSING_FAILED


async def test_a_failure_is_retried_before_the_last_attempt(container, content):
    store, file_id = await stored(container)
    content.failures["store_blob"] = RuntimeError("boom")
    with pytest.raises(RuntimeError):
        await run_process_file(job(file_id, attempts=2), container)
    assert store.versions[(file_id, 1)][0].status is FileStatus.PROCESSING
    assert store.calls == {}


async def test_a_failure_on_the_last_attempt_gives_up_on_the_file(container, content):
    store, file_id = await stored(container)
    content.failures["store_blob"] = RuntimeError("boom")
    await run_process_file(job(file_id, attempts=3), container)
    version, _ = store.versions[(file_id, 1)]
    assert (version.status, version.error_code) == (FileStatus.REJECTED, PROCESSING_FAILED)
    assert version.error_message == "processing failed: RuntimeError('boom')"
    assert store.calls[f"file:{file_id}:v1"][2]["error_code"] == PROCESSING_FAILED
