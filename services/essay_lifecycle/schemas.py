"""essay_lifecycle's HTTP request and response models (their class names are the OpenAPI
names peers and clients know). What peers send and the summary they read are the shared
contract models (``contracts``), re-exported here; the rest are this service's own.
Responses are read from domain objects with ``from_attributes`` (``model_validate(essay)``),
never copied field by field."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from contracts.batches import BatchIn, PhaseCommandIn, SummaryOut
from contracts.cj import AssessmentResultIn
from contracts.files import FileNoticeIn
from contracts.spellcheck import SpellcheckResultIn
from service_kit.fields import Int32, PositiveInt32, SafeText
from services.essay_lifecycle.domain import EssayStatus, TimelineEvent

__all__ = [
    "AppliedOut",
    "AssessmentResultIn",
    "AttemptQuery",
    "BatchIn",
    "BatchOut",
    "CancelledOut",
    "EssayListQuery",
    "EssayOut",
    "EssayPage",
    "FileNoticeIn",
    "PhaseCommandIn",
    "PhaseRunOut",
    "SpellcheckResultIn",
    "SummaryOut",
    "TimelineOut",
]

FROM_DOMAIN = ConfigDict(from_attributes=True)


class BatchOut(BaseModel):
    model_config = FROM_DOMAIN

    batch_id: str = Field(validation_alias=AliasChoices("batch_id", "id"))
    language: str | None
    callback_url: str | None
    expected_essay_count: int | None
    created_at: datetime


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


class PhaseRunOut(BaseModel):
    model_config = FROM_DOMAIN

    batch_id: str
    phase: str
    attempt: int
    status: str
    essay_count: int


class AttemptQuery(BaseModel):
    attempt: PositiveInt32 = 1


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
    limit: Int32 = 50
    cursor: SafeText | None = None


class EssayPage(BaseModel):
    model_config = FROM_DOMAIN

    items: list[EssayOut] = Field(validation_alias=AliasChoices("items", "essays"))
    next_cursor: str | None
