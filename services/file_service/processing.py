"""The process_file job: extract, store in content_service, tell essay_lifecycle.

Each step is safe to repeat after a crash: extraction is pure; content_service dedups blobs
by hash and documents by Idempotency-Key; the final write is compare-and-set on the
version's status and puts the notification in the outbox in the same transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid

from service_kit.logging import get_logger
from services.file_service import metrics
from services.file_service.domain import (
    PROCESSING_FAILED,
    FileStatus,
    FileVersion,
    FileView,
    essay_ready_body,
    essay_rejected_body,
    notification_key,
    now,
)
from services.file_service.extraction import (
    ExtractedText,
    ExtractionLimits,
    FileRejected,
    extract_text,
)
from services.file_service.protocols import ContentStore, FileUnitOfWork
from services.file_service.service import Peers

log = get_logger("file_service.processing")

MEDIA_TYPES = {
    "txt": "text/plain",
    "markdown": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
}


class ContentUnavailable(Exception):
    """content_service could not take the request now; the job is tried again later."""


class ContentRefused(Exception):
    """content_service will never accept this request."""


async def process_file(
    uow: FileUnitOfWork,
    content: ContentStore,
    peers: Peers,
    limits: ExtractionLimits,
    file_id: uuid.UUID,
    version_number: int,
    *,
    last_attempt: bool,
) -> None:
    async with uow:
        found = await uow.files.get_version(file_id, version_number)
    if found is None:
        log.warning("process_file_unknown", file_id=str(file_id), version=version_number)
        return
    view, version, staged = found
    if version.status is not FileStatus.PROCESSING or staged is None:
        return  # finished by an earlier attempt
    if view.file.deleted_at is not None:
        await _finish(
            uow,
            peers,
            view,
            _rejected(version, "deleted", "deleted before processing"),
            notify=False,
        )
        return

    started = time.perf_counter()
    try:
        extracted = await asyncio.to_thread(extract_text, version.filename, staged, limits)
    except FileRejected as rejection:
        metrics.EXTRACTION_DURATION.labels(version.kind or "unknown").observe(
            time.perf_counter() - started
        )
        await _finish(uow, peers, view, _rejected(version, rejection.code.value, rejection.message))
        return
    elapsed = time.perf_counter() - started
    metrics.EXTRACTION_DURATION.labels(extracted.kind.value).observe(elapsed)

    try:
        ready = await _store(content, view, version, staged, extracted, elapsed)
    except ContentRefused as refusal:
        await _finish(uow, peers, view, _rejected(version, PROCESSING_FAILED, str(refusal)))
        return
    except ContentUnavailable as trouble:
        if not last_attempt:
            raise
        message = f"content_service unavailable: {trouble}"
        await _finish(uow, peers, view, _rejected(version, PROCESSING_FAILED, message))
        return
    await _finish(uow, peers, view, ready)


async def give_up(
    uow: FileUnitOfWork, peers: Peers, file_id: uuid.UUID, version_number: int, reason: str
) -> None:
    """The job cannot finish (its last attempt failed, or its workers kept dying): the file is
    rejected with ``processing_failed`` and essay_lifecycle told, so no batch waits for it."""
    async with uow:
        found = await uow.files.get_version(file_id, version_number)
    if found is None:
        return
    view, version, _ = found
    if version.status is FileStatus.PROCESSING:
        await _finish(uow, peers, view, _rejected(version, PROCESSING_FAILED, reason))


async def _store(
    content: ContentStore,
    view: FileView,
    version: FileVersion,
    staged: bytes,
    extracted: ExtractedText,
    elapsed: float,
) -> FileVersion:
    key = notification_key(version.file_id, version.version)
    metadata = {
        "file_id": str(version.file_id),
        "version": version.version,
        "sha256": version.sha256,
    }
    media_type = MEDIA_TYPES.get(extracted.kind.value, "application/octet-stream")
    raw_id = await content.store_blob(staged, media_type)
    await content.create_document(
        kind="raw_file",
        batch_id=view.file.batch_id,
        filename=version.filename,
        metadata=metadata,
        idempotency_key=f"{key}:raw",
        content_id=raw_id,
    )
    text_id = await content.create_document(
        kind="extracted_text",
        batch_id=view.file.batch_id,
        filename=version.filename,
        metadata=metadata,
        idempotency_key=f"{key}:text",
        text=extracted.text,
    )
    return dataclasses.replace(
        version,
        status=FileStatus.READY,
        kind=extracted.kind.value,
        raw_content_id=raw_id,
        text_content_id=text_id,
        char_count=extracted.char_count,
        word_count=extracted.word_count,
        extraction_ms=round(elapsed * 1000, 3),
        processed_at=now(),
    )


def _rejected(version: FileVersion, code: str, message: str) -> FileVersion:
    return dataclasses.replace(
        version,
        status=FileStatus.REJECTED,
        error_code=code,
        error_message=message,
        processed_at=now(),
    )


async def _finish(
    uow: FileUnitOfWork, peers: Peers, view: FileView, outcome: FileVersion, *, notify: bool = True
) -> None:
    done = FileView(view.file, outcome)
    async with uow:
        # the file row's lock orders us with a DELETE: deleted meanwhile means told nothing
        current = await uow.files.get(outcome.file_id, for_update=True)
        if current is not None and current.file.deleted_at is not None:
            notify = False
        if not await uow.files.finish_version(outcome):
            return  # another worker finished it first: it told essay_lifecycle already
        if notify:
            body = (
                essay_ready_body(done)
                if outcome.status is FileStatus.READY
                else essay_rejected_body(done)
            )
            await uow.call_peer(
                "POST",
                peers.essays_url(view.file.batch_id),
                body,
                notification_key(outcome.file_id, outcome.version),
            )
        await uow.commit()
    metrics.UPLOADS.labels(outcome.status.value).inc()
