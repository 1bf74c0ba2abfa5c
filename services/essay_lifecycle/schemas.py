"""essay_lifecycle's HTTP request and response models (their class names are the OpenAPI
names peers and clients know). Responses are read from domain objects with
``from_attributes`` (``model_validate(essay)``), never copied field by field."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from service_kit.fields import Int32, SafeJson, SafeText
from services.essay_lifecycle.domain import EssayStatus, TimelineEvent

FROM_DOMAIN = ConfigDict(from_attributes=True)


class BatchIn(BaseModel):
    batch_id: SafeText = Field(min_length=1, max_length=64)
    language: Literal["en", "sv", "auto"]  # auto: spell_checker detects it per essay
    callback_url: SafeText = Field(min_length=1, max_length=2000)
    expected_essay_count: Int32 | None = Field(default=None, ge=0)


class BatchOut(BaseModel):
    model_config = FROM_DOMAIN

    batch_id: str = Field(validation_alias=AliasChoices("batch_id", "id"))
    language: str | None
    callback_url: str | None
    expected_essay_count: int | None
    created_at: datetime


class FileNoticeIn(BaseModel):
    file_id: SafeText = Field(min_length=1, max_length=64)
    filename: SafeText = Field(max_length=512)
    version: Int32 = Field(default=1, ge=1)
    text_content_id: SafeText | None = Field(default=None, max_length=64)
    raw_content_id: SafeText | None = Field(default=None, max_length=64)
    error_code: SafeText | None = Field(default=None, max_length=64)
    error_message: SafeText | None = None


class EssayOut(BaseModel):
    model_config = FROM_DOMAIN

    essay_id: uuid.UUID = Field(validation_alias=AliasChoices("essay_id", "id"))
    batch_id: str
    file_id: str
    filename: str
    status: EssayStatus
    version: int
    language: str | None
    file_version: int
    text_content_id: str | None
    raw_content_id: str | None
    corrected_text_content_id: str | None
    error_code: str | None
    error_message: str | None
    phase: str | None
    phase_attempt: int | None
    spelling: dict[str, Any] | None
    assessment: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class PhaseCommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempt: Int32 = Field(default=1, ge=1)
    essay_ids: list[uuid.UUID] | None = None
    last_phase: bool = False
    settings: SafeJson = Field(default_factory=dict)


class PhaseRunOut(BaseModel):
    model_config = FROM_DOMAIN

    batch_id: str
    phase: str
    attempt: int
    status: str
    essay_count: int


class SpellcheckResultIn(BaseModel):
    """spell_checker's callback; figures beyond these are kept in the summary as they come."""

    model_config = ConfigDict(extra="allow")

    status: Literal["succeeded", "failed"]
    corrected_text_content_id: SafeText | None = Field(default=None, max_length=64)
    reason: SafeText | None = None


class AssessmentResultIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["succeeded", "completed", "failed"]
    ranking: list[SafeJson] = Field(default_factory=list)
    reason: SafeText | None = None


class AttemptQuery(BaseModel):
    attempt: Int32 = Field(default=1, ge=1)


class AppliedOut(BaseModel):
    model_config = FROM_DOMAIN

    applied: bool
    reason: str | None
    outcome_sent: bool


class CancelledOut(BaseModel):
    model_config = FROM_DOMAIN

    batch_id: str
    cancelled: int


class TimelineOut(BaseModel):
    essay_id: uuid.UUID
    events: list[dict[str, Any]]

    @classmethod
    def of(cls, essay_id: uuid.UUID, events: list[TimelineEvent]) -> TimelineOut:
        # the events stay plain objects in the OpenAPI document, times in ISO 8601 as stored
        return cls(
            essay_id=essay_id,
            events=[
                {
                    "sequence": e.sequence,
                    "event": e.event,
                    "from_status": e.from_status.value if e.from_status else None,
                    "to_status": e.to_status.value,
                    "details": e.details,
                    "correlation_id": e.correlation_id,
                    "at": e.at.isoformat(),
                }
                for e in events
            ],
        )


class EssayListQuery(BaseModel):
    status: EssayStatus | None = None
    limit: int = 50
    cursor: str | None = None


class EssayPage(BaseModel):
    model_config = FROM_DOMAIN

    items: list[EssayOut] = Field(validation_alias=AliasChoices("items", "essays"))
    next_cursor: str | None


class SummaryOut(BaseModel):
    model_config = FROM_DOMAIN

    batch_id: str
    total: int
    expected_essay_count: int | None
    by_status: dict[str, int]
    terminal: int
    completion_percent: float
    phases: list[dict[str, Any]]
