"""file_service's messages: file notices and withdrawals to essay_lifecycle, the seal that
batch_orchestrator asks for, and the orchestrator's gate answer file_service reads.

The withdrawal (file_service -> essay_lifecycle,
``DELETE /internal/v1/batches/{batch_id}/files/{file_id}``) has no body and its answer is
not read: it has no model.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service_kit.fields import PositiveInt32, SafeText


class FileNoticeIn(BaseModel):
    """file_service -> essay_lifecycle, ``POST /internal/v1/batches/{batch_id}/essays``: a
    file version's outcome (ready: the content ids; rejected: the error code and message)."""

    model_config = ConfigDict(extra="forbid")

    file_id: SafeText = Field(min_length=1, max_length=64)
    filename: SafeText = Field(max_length=512)
    version: PositiveInt32 = 1
    text_content_id: SafeText | None = Field(default=None, max_length=64)
    raw_content_id: SafeText | None = Field(default=None, max_length=64)
    error_code: SafeText | None = Field(default=None, max_length=64)
    error_message: SafeText | None = None


class IntakeOut(BaseModel):
    """file_service -> batch_orchestrator (the answer),
    ``POST /internal/v1/batches/{batch_id}/seal``: a batch's files by their final outcome;
    ``sealed`` once the batch takes no more."""

    batch_id: str
    sealed: bool
    files: int
    processing: int
    ready: int
    rejected: int


class BatchGateOut(BaseModel):
    """batch_orchestrator -> file_service (the answer), ``GET /internal/v1/batches/{batch_id}``:
    whether the batch's pipeline has started (its files are then final)."""

    batch_id: str
    status: str
    pipeline_started: bool
