"""The essay and its lifecycle: the state machine, as data (``TRANSITIONS``), and the one
function that applies an event (``apply``)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from service_kit.errors import Conflict, InvalidInput


class Phase(str, enum.Enum):
    SPELLCHECK = "spellcheck"
    CJ_ASSESSMENT = "cj_assessment"


class EssayStatus(str, enum.Enum):
    READY = "ready"
    CONTENT_REJECTED = "content_rejected"
    SPELLCHECK_PENDING = "spellcheck_pending"
    SPELLCHECK_IN_PROGRESS = "spellcheck_in_progress"
    SPELLCHECK_SUCCEEDED = "spellcheck_succeeded"
    SPELLCHECK_FAILED = "spellcheck_failed"
    CJ_ASSESSMENT_PENDING = "cj_assessment_pending"
    CJ_ASSESSMENT_IN_PROGRESS = "cj_assessment_in_progress"
    CJ_ASSESSMENT_SUCCEEDED = "cj_assessment_succeeded"
    CJ_ASSESSMENT_FAILED = "cj_assessment_failed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Event(str, enum.Enum):
    """What can happen to an essay. Phase events are spelled ``<phase>.<what>``."""

    SPELLCHECK_REQUESTED = "spellcheck.requested"
    SPELLCHECK_DISPATCHED = "spellcheck.dispatched"
    SPELLCHECK_SUCCEEDED = "spellcheck.succeeded"
    SPELLCHECK_FAILED = "spellcheck.failed"
    CJ_ASSESSMENT_REQUESTED = "cj_assessment.requested"
    CJ_ASSESSMENT_DISPATCHED = "cj_assessment.dispatched"
    CJ_ASSESSMENT_SUCCEEDED = "cj_assessment.succeeded"
    CJ_ASSESSMENT_FAILED = "cj_assessment.failed"
    COMPLETE = "complete"
    CANCEL = "cancel"
    FILE_REPLACED = "file_replaced"  # a new version of the file, before any phase started
    FILE_REJECTED = "file_rejected"


S, E = EssayStatus, Event
TERMINAL = frozenset({S.CONTENT_REJECTED, S.COMPLETED, S.CANCELLED})

# The whole lifecycle: (state, event) -> next state. Anything not here is refused.
TRANSITIONS: dict[tuple[EssayStatus, Event], EssayStatus] = {
    (S.READY, E.SPELLCHECK_REQUESTED): S.SPELLCHECK_PENDING,
    (S.SPELLCHECK_FAILED, E.SPELLCHECK_REQUESTED): S.SPELLCHECK_PENDING,  # a retry
    (S.SPELLCHECK_PENDING, E.SPELLCHECK_DISPATCHED): S.SPELLCHECK_IN_PROGRESS,
    (S.SPELLCHECK_PENDING, E.SPELLCHECK_FAILED): S.SPELLCHECK_FAILED,  # could not be sent
    (S.SPELLCHECK_IN_PROGRESS, E.SPELLCHECK_SUCCEEDED): S.SPELLCHECK_SUCCEEDED,
    (S.SPELLCHECK_IN_PROGRESS, E.SPELLCHECK_FAILED): S.SPELLCHECK_FAILED,
    (S.SPELLCHECK_SUCCEEDED, E.CJ_ASSESSMENT_REQUESTED): S.CJ_ASSESSMENT_PENDING,
    (S.CJ_ASSESSMENT_FAILED, E.CJ_ASSESSMENT_REQUESTED): S.CJ_ASSESSMENT_PENDING,  # a retry
    (S.CJ_ASSESSMENT_PENDING, E.CJ_ASSESSMENT_DISPATCHED): S.CJ_ASSESSMENT_IN_PROGRESS,
    (S.CJ_ASSESSMENT_PENDING, E.CJ_ASSESSMENT_FAILED): S.CJ_ASSESSMENT_FAILED,
    (S.CJ_ASSESSMENT_IN_PROGRESS, E.CJ_ASSESSMENT_SUCCEEDED): S.CJ_ASSESSMENT_SUCCEEDED,
    (S.CJ_ASSESSMENT_IN_PROGRESS, E.CJ_ASSESSMENT_FAILED): S.CJ_ASSESSMENT_FAILED,
    (S.SPELLCHECK_SUCCEEDED, E.COMPLETE): S.COMPLETED,
    (S.CJ_ASSESSMENT_SUCCEEDED, E.COMPLETE): S.COMPLETED,
    (S.READY, E.FILE_REPLACED): S.READY,
    (S.CONTENT_REJECTED, E.FILE_REPLACED): S.READY,
    (S.READY, E.FILE_REJECTED): S.CONTENT_REJECTED,
    (S.CONTENT_REJECTED, E.FILE_REJECTED): S.CONTENT_REJECTED,
    **{(state, E.CANCEL): S.CANCELLED for state in EssayStatus if state not in TERMINAL},
}

PHASE_EVENTS = {
    Phase.SPELLCHECK: {
        "requested": E.SPELLCHECK_REQUESTED,
        "dispatched": E.SPELLCHECK_DISPATCHED,
        "succeeded": E.SPELLCHECK_SUCCEEDED,
        "failed": E.SPELLCHECK_FAILED,
    },
    Phase.CJ_ASSESSMENT: {
        "requested": E.CJ_ASSESSMENT_REQUESTED,
        "dispatched": E.CJ_ASSESSMENT_DISPATCHED,
        "succeeded": E.CJ_ASSESSMENT_SUCCEEDED,
        "failed": E.CJ_ASSESSMENT_FAILED,
    },
}
# essays a phase command picks up when it names none: first attempts and retries
ELIGIBLE = {
    Phase.SPELLCHECK: (S.READY, S.SPELLCHECK_FAILED),
    Phase.CJ_ASSESSMENT: (S.SPELLCHECK_SUCCEEDED, S.CJ_ASSESSMENT_FAILED),
}
ACTIVE = {
    Phase.SPELLCHECK: (S.SPELLCHECK_PENDING, S.SPELLCHECK_IN_PROGRESS),
    Phase.CJ_ASSESSMENT: (S.CJ_ASSESSMENT_PENDING, S.CJ_ASSESSMENT_IN_PROGRESS),
}


def allowed_events(state: EssayStatus) -> list[str]:
    return sorted(event.value for (source, event) in TRANSITIONS if source is state)


class IllegalTransition(Conflict):
    def __init__(self, essay_id: uuid.UUID, state: EssayStatus, event: Event) -> None:
        super().__init__(
            f"essay {essay_id} is {state.value}; {event.value} is not allowed there",
            current_state=state.value,
            allowed_events=allowed_events(state),
        )


def next_status(essay_id: uuid.UUID, state: EssayStatus, event: Event) -> EssayStatus:
    """The one function that applies an event to a state, or refuses it."""
    target = TRANSITIONS.get((state, event))
    if target is None:
        raise IllegalTransition(essay_id, state, event)
    return target


@dataclass(frozen=True)
class Essay:
    id: uuid.UUID
    batch_id: str
    file_id: str
    filename: str
    status: EssayStatus
    version: int
    language: str | None = None
    file_version: int = 1
    text_content_id: str | None = None
    raw_content_id: str | None = None
    corrected_text_content_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    phase: Phase | None = None
    phase_attempt: int | None = None
    spelling: dict[str, Any] | None = None
    assessment: dict[str, Any] | None = None
    created_at: datetime = field(kw_only=True)
    updated_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class TimelineEvent:
    essay_id: uuid.UUID
    sequence: int  # the essay's version this event produced: 1, 2, 3 …
    event: str
    from_status: EssayStatus | None
    to_status: EssayStatus
    details: dict[str, Any]
    correlation_id: str | None
    at: datetime


@dataclass(frozen=True)
class Transition:
    """An essay after an event, with the timeline entry that records it."""

    essay: Essay
    event: TimelineEvent


def apply(
    essay: Essay,
    event: Event,
    *,
    at: datetime,
    details: dict[str, Any] | None = None,
    correlation_id: str | None = None,
    **changes: Any,
) -> Transition:
    """The essay after ``event`` at ``at``, with its timeline entry; IllegalTransition when
    the state machine does not allow it."""
    target = next_status(essay.id, essay.status, event)
    after = replace(essay, status=target, version=essay.version + 1, updated_at=at, **changes)
    entry = TimelineEvent(
        essay.id,
        after.version,
        event.value,
        essay.status,
        target,
        details or {},
        correlation_id,
        at,
    )
    return Transition(after, entry)


def new_essay(
    batch_id: str,
    file_id: str,
    filename: str,
    *,
    language: str | None,
    file_version: int,
    text_content_id: str | None,
    raw_content_id: str | None,
    error_code: str | None,
    error_message: str | None,
    correlation_id: str | None,
    at: datetime,
) -> Transition:
    """A file notification becomes an essay: ready, or content_rejected so it still counts."""
    status = S.CONTENT_REJECTED if error_code else S.READY
    essay = Essay(
        id=uuid.uuid4(),
        batch_id=batch_id,
        file_id=file_id,
        filename=filename,
        status=status,
        version=1,
        language=language,
        file_version=file_version,
        text_content_id=text_content_id,
        raw_content_id=raw_content_id,
        error_code=error_code,
        error_message=error_message,
        created_at=at,
        updated_at=at,
    )
    details: dict[str, Any] = {"file_version": file_version}
    if error_code:
        details |= {"error_code": error_code, "error_message": error_message}
    entry = TimelineEvent(
        essay.id, 1, "file_received", None, status, details, correlation_id, essay.created_at
    )
    return Transition(essay, entry)


def require_phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError as exc:
        known = ", ".join(p.value for p in Phase)
        raise InvalidInput(f"unknown phase {value!r}; known phases: {known}") from exc
