"""file_service's domain: uploaded files, their versions, and what became of each.

Pure Python: no Quart, no SQLAlchemy. Text extraction itself lives in extraction/.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.files import FileNoticeIn
from service_kit.clock import SystemClock
from service_kit.errors import Conflict, DomainError
from services.file_service.extraction import (
    ExtractionLimits,
    FileErrorCode,
    FileKind,
    FileRejected,
    check_upload,
    sniff_kind,
)

PROCESSING_FAILED = "processing_failed"  # a stored file we could not finish processing
PROCESS_FILE = "process_file"  # the job kind


class FileStatus(str, enum.Enum):
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Intake:
    """What a batch's files add up to, counted over the current version of every file that is
    not deleted: the source of truth for which essays a pipeline must cover."""

    batch_id: str
    processing: int
    ready: int
    rejected: int
    sealed_at: datetime | None = None

    @property
    def files(self) -> int:
        return self.processing + self.ready + self.rejected

    @property
    def sealed(self) -> bool:
        """The batch takes no more uploads, replacements or deletions."""
        return self.sealed_at is not None

    @property
    def sealable(self) -> bool:
        """Every file has its final outcome and at least one became an essay."""
        return self.processing == 0 and self.ready > 0


def intake_closed(batch_id: str) -> Conflict:
    return Conflict(
        f"batch {batch_id} is starting or started: it takes no more files",
        code="batch_sealed",
    )


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """How many parts one upload request may have (a zip archive is one)."""

    max_parts: int = 100


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    data: bytes
    declared_type: str | None = None
    # set when the bytes are not kept (an archive member refused unread, or a refusal held
    # back while an archive is read): what the version records instead of len(data), sha256
    known_size: int | None = None
    known_sha256: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.known_size is None else self.known_size

    @property
    def sha256(self) -> str:
        if self.known_sha256 is not None:
            return self.known_sha256
        return hashlib.sha256(self.data).hexdigest()

    def without_data(self) -> IncomingFile:
        """The same record without its bytes: for a refusal, whose bytes are never stored."""
        return dataclasses.replace(self, data=b"", known_size=self.size, known_sha256=self.sha256)


@dataclass(frozen=True)
class FileVersion:
    file_id: uuid.UUID
    version: int
    filename: str
    size: int
    sha256: str
    status: FileStatus
    kind: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    raw_content_id: str | None = None
    text_content_id: str | None = None
    char_count: int | None = None
    word_count: int | None = None
    extraction_ms: float | None = None
    # the use cases pass their clock's time; the default serves versions built elsewhere
    created_at: datetime = field(default_factory=SystemClock().now)
    processed_at: datetime | None = None


@dataclass(frozen=True)
class StoredFile:
    id: uuid.UUID
    batch_id: str
    current_version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class FileView:
    """A file with its current version."""

    file: StoredFile
    version: FileVersion


@dataclass(frozen=True)
class Screened:
    """An upload after the checks that need no parsing: the kind, or why it is refused."""

    incoming: IncomingFile
    kind: FileKind | None
    refusal: FileRejected | None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def screen(incoming: IncomingFile, limits: ExtractionLimits) -> Screened:
    """Lock files, empty or oversize files and types that sniffing rules out: known now."""
    try:
        check_upload(incoming.filename, len(incoming.data), limits)
        return Screened(incoming, sniff_kind(incoming.filename, incoming.data), None)
    except FileRejected as refusal:
        return Screened(incoming, None, refusal)


def new_version(file_id: uuid.UUID, version: int, screened: Screened, at: datetime) -> FileVersion:
    """The version a screened upload makes: processing, or rejected (and done) at once."""
    incoming = screened.incoming
    refusal = screened.refusal
    return FileVersion(
        file_id=file_id,
        version=version,
        filename=incoming.filename,
        size=incoming.size,
        sha256=incoming.sha256,
        status=FileStatus.REJECTED if refusal else FileStatus.PROCESSING,
        kind=screened.kind.value if screened.kind else None,
        error_code=refusal.code.value if refusal else None,
        error_message=refusal.message if refusal else None,
        created_at=at,
        processed_at=at if refusal else None,
    )


def rejected_version(version: FileVersion, code: str, message: str, at: datetime) -> FileVersion:
    """The version processed and rejected: why (code, message) and when."""
    return dataclasses.replace(
        version,
        status=FileStatus.REJECTED,
        error_code=code,
        error_message=message,
        processed_at=at,
    )


REFUSAL_STATUS = {
    FileErrorCode.FILE_TOO_LARGE: 413,
    FileErrorCode.ARCHIVE_MEMBER_TOO_LARGE: 413,
    FileErrorCode.UNSUPPORTED_TYPE: 415,
}


class UploadRefused(DomainError):
    """Every file in the request was refused before anything was stored."""

    title = "Upload refused"

    def __init__(self, refused: list[Screened]) -> None:
        statuses = {REFUSAL_STATUS.get(s.refusal.code, 422) for s in refused if s.refusal}
        self.status = statuses.pop() if len(statuses) == 1 else 422
        files = [
            {
                "filename": s.incoming.filename,
                "error_code": s.refusal.code.value,
                "error_message": s.refusal.message,
            }
            for s in refused
            if s.refusal
        ]
        super().__init__("no file in the request can be accepted", files=files)


def essay_ready_body(view: FileView) -> dict[str, Any]:
    """The notice that a file became an essay, as essay_lifecycle reads it (FileNoticeIn)."""
    v = view.version
    notice = FileNoticeIn(
        file_id=str(v.file_id),
        filename=v.filename,
        version=v.version,
        text_content_id=v.text_content_id,
        raw_content_id=v.raw_content_id,
    )
    return notice.model_dump(mode="json", exclude_unset=True)


def essay_rejected_body(view: FileView) -> dict[str, Any]:
    """The notice that a file was rejected and why, as essay_lifecycle reads it."""
    v = view.version
    notice = FileNoticeIn(
        file_id=str(v.file_id),
        filename=v.filename,
        version=v.version,
        error_code=v.error_code,
        error_message=v.error_message,
    )
    return notice.model_dump(mode="json", exclude_unset=True)


@dataclass(frozen=True)
class EssayLifecycleUrls:
    """Where essay_lifecycle hears about a batch's files (through the outbox)."""

    base_url: str

    def essays(self, batch_id: str) -> str:
        """A file's outcome: an essay ready, or a file rejected."""
        return f"{self.base_url}/internal/v1/batches/{batch_id}/essays"

    def file(self, batch_id: str, file_id: uuid.UUID) -> str:
        """A file withdrawn (deleted)."""
        return f"{self.base_url}/internal/v1/batches/{batch_id}/files/{file_id}"


def notification_key(file_id: uuid.UUID, version: int) -> str:
    return f"file:{file_id}:v{version}"
