"""The process_file job's work: extract, store in content_service, tell essay_lifecycle; and
giving up on a file whose job cannot finish.

Each step is safe to repeat after a crash: extraction is pure; content_service dedups blobs
by hash and documents by Idempotency-Key; the final write is compare-and-set on the
version's status and puts the notification in the outbox in the same transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from dataclasses import dataclass

from contracts.content import DocumentKind
from service_kit.clock import Clock
from service_kit.logging import get_logger
from services.file_service import metrics
from services.file_service.domain import (
    PROCESSING_FAILED,
    EssayLifecycleUrls,
    FileStatus,
    FileVersion,
    FileView,
    essay_ready_body,
    essay_rejected_body,
    notification_key,
    rejected_version,
)
from services.file_service.extraction import (
    ExtractedText,
    ExtractionLimits,
    FileRejected,
    extract_text,
)
from services.file_service.protocols import (
    ContentRefused,
    ContentStore,
    ContentUnavailable,
    FileUnitOfWork,
)

log = get_logger("file_service.processing")

MEDIA_TYPES = {
    "txt": "text/plain",
    "markdown": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
}


@dataclass(frozen=True, slots=True)
class ProcessFileCommand:
    file_id: uuid.UUID
    version: int
    last_attempt: bool = False  # content_service unavailable now rejects the file


class ProcessFile:
    """Extract one version's text, store the bytes and the text in content_service, and
    record the outcome (ready, or rejected with its code) with essay_lifecycle told."""

    def __init__(
        self,
        uow: FileUnitOfWork,
        content: ContentStore,
        essay_lifecycle: EssayLifecycleUrls,
        limits: ExtractionLimits,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._content = content
        self._essay_lifecycle = essay_lifecycle
        self._limits = limits
        self._clock = clock

    async def execute(self, command: ProcessFileCommand) -> None:
        uow = self._uow
        async with uow:
            found = await uow.files.get_version(command.file_id, command.version)
        if found is None:
            log.warning(
                "process_file_unknown", file_id=str(command.file_id), version=command.version
            )
            return
        view, version, staged = found
        if version.status is not FileStatus.PROCESSING or staged is None:
            return  # finished by an earlier attempt
        if view.file.deleted_at is not None:
            await self._finish(
                view, self._rejected(version, "deleted", "deleted before processing"), notify=False
            )
            return

        started = time.perf_counter()
        try:
            extracted = await asyncio.to_thread(
                extract_text, version.filename, staged, self._limits
            )
        except FileRejected as rejection:
            metrics.EXTRACTION_DURATION.labels(version.kind or "unknown").observe(
                time.perf_counter() - started
            )
            await self._finish(
                view, self._rejected(version, rejection.code.value, rejection.message)
            )
            return
        elapsed = time.perf_counter() - started
        metrics.EXTRACTION_DURATION.labels(extracted.kind.value).observe(elapsed)

        try:
            ready = await self._store(view, version, staged, extracted, elapsed)
        except ContentRefused as refusal:
            await self._finish(view, self._rejected(version, PROCESSING_FAILED, str(refusal)))
            return
        except ContentUnavailable as trouble:
            if not command.last_attempt:
                raise
            message = f"content_service unavailable: {trouble}"
            await self._finish(view, self._rejected(version, PROCESSING_FAILED, message))
            return
        await self._finish(view, ready)

    async def _store(
        self,
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
        raw_id = await self._content.store_blob(staged, media_type)
        await self._content.create_document(
            kind=DocumentKind.RAW_FILE,
            batch_id=view.file.batch_id,
            filename=version.filename,
            metadata=metadata,
            idempotency_key=f"{key}:raw",
            content_id=raw_id,
        )
        text_id = await self._content.create_document(
            kind=DocumentKind.EXTRACTED_TEXT,
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
            processed_at=self._clock.now(),
        )

    def _rejected(self, version: FileVersion, code: str, message: str) -> FileVersion:
        return rejected_version(version, code, message, self._clock.now())

    async def _finish(self, view: FileView, outcome: FileVersion, *, notify: bool = True) -> None:
        await _record_outcome(self._uow, self._essay_lifecycle, view, outcome, notify=notify)


@dataclass(frozen=True, slots=True)
class GiveUpOnFileCommand:
    file_id: uuid.UUID
    version: int
    reason: str


class GiveUpOnFile:
    """The job cannot finish (its last attempt failed, or its workers kept dying): the file is
    rejected with ``processing_failed`` and essay_lifecycle told, so no batch waits for it."""

    def __init__(
        self, uow: FileUnitOfWork, essay_lifecycle: EssayLifecycleUrls, clock: Clock
    ) -> None:
        self._uow = uow
        self._essay_lifecycle = essay_lifecycle
        self._clock = clock

    async def execute(self, command: GiveUpOnFileCommand) -> None:
        async with self._uow:
            found = await self._uow.files.get_version(command.file_id, command.version)
        if found is None:
            return
        view, version, _ = found
        if version.status is FileStatus.PROCESSING:
            outcome = rejected_version(
                version, PROCESSING_FAILED, command.reason, self._clock.now()
            )
            await _record_outcome(self._uow, self._essay_lifecycle, view, outcome)


async def _record_outcome(
    uow: FileUnitOfWork,
    essay_lifecycle: EssayLifecycleUrls,
    view: FileView,
    outcome: FileVersion,
    *,
    notify: bool = True,
) -> None:
    """Record a version's outcome and tell essay_lifecycle, once: the version's status is
    compare-and-set, and a file deleted meanwhile is told nothing."""
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
                essay_lifecycle.essays(view.file.batch_id),
                body,
                notification_key(outcome.file_id, outcome.version),
            )
        await uow.commit()
    metrics.UPLOADS.labels(outcome.status.value).inc()
