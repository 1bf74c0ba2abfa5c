"""file_service's messages: file notices (ready, rejected), the seal answer, the gate
answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from contracts.files import BatchGateOut, FileNoticeIn, IntakeOut
from contracts.tests.helpers import as_json, refuses, with_unknown_field
from services.file_service.domain import (
    FileStatus,
    FileVersion,
    FileView,
    StoredFile,
    essay_ready_body,
    essay_rejected_body,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _view(**version: object) -> FileView:
    file_id = uuid.uuid4()
    stored = StoredFile(file_id, "batch-1", 2, NOW, NOW)
    fields: dict[str, object] = {
        "file_id": file_id,
        "version": 2,
        "filename": "essay.docx",
        "size": 10,
        "sha256": "0" * 64,
        "status": FileStatus.READY,
        **version,
    }
    return FileView(stored, FileVersion(**fields))  # type: ignore[arg-type]


def ready_notice() -> dict[str, object]:
    # file_service/domain.py: essay_ready_body (sent from processing._finish)
    return essay_ready_body(_view(text_content_id="a" * 64, raw_content_id="b" * 64))


def rejected_notice() -> dict[str, object]:
    # file_service/domain.py: essay_rejected_body (service._record and processing._finish)
    return essay_rejected_body(
        _view(status=FileStatus.REJECTED, error_code="empty_file", error_message="no text")
    )


def test_ready_notice_validates() -> None:
    notice = FileNoticeIn.model_validate(as_json(ready_notice()))
    assert notice.version == 2
    assert notice.text_content_id == "a" * 64
    assert notice.error_code is None


def test_rejected_notice_validates() -> None:
    notice = FileNoticeIn.model_validate(as_json(rejected_notice()))
    assert notice.error_code == "empty_file"
    assert notice.text_content_id is None


def test_notice_refuses_unknown_fields_and_bad_text() -> None:
    refuses(FileNoticeIn, with_unknown_field(ready_notice()))
    refuses(FileNoticeIn, {**ready_notice(), "filename": "a\x00b"})
    refuses(FileNoticeIn, {**ready_notice(), "filename": "x" * 513})
    refuses(FileNoticeIn, {**ready_notice(), "version": 2**31})
    refuses(FileNoticeIn, {**ready_notice(), "file_id": ""})


# essay_lifecycle's ``Int32 = Field(default=1, ge=1)`` loses its ge=1 (pydantic keeps the
# Annotated bounds of Int32 only); the contract keeps what the consumer does today.
def test_notice_refuses_version_zero() -> None:
    refuses(FileNoticeIn, {**ready_notice(), "version": 0})


def test_seal_answer_validates() -> None:
    # file_service/api.py: seal_batch builds IntakeOut from the counted intake
    answer = IntakeOut(batch_id="b", sealed=True, files=3, processing=0, ready=2, rejected=1)
    read = IntakeOut.model_validate(as_json(answer.model_dump(mode="json")))
    assert read == answer
    refuses(IntakeOut, {"batch_id": "b", "sealed": True, "files": 3})


def test_gate_answer_validates() -> None:
    # batch_orchestrator/api.py: internal_status answers this dict
    answer = {"batch_id": "b", "status": "processing", "pipeline_started": True}
    assert BatchGateOut.model_validate(answer).pipeline_started is True
    refuses(BatchGateOut, {"batch_id": "b", "status": "processing"})
