"""Every allowed and every refused transition of the table."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.essay_lifecycle.domain import (
    TERMINAL,
    TRANSITIONS,
    Essay,
    EssayStatus,
    Event,
    IllegalTransition,
    Phase,
    PhaseRun,
    PhaseRunStatus,
    allowed_events,
    apply,
    next_status,
    reports,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALL_PAIRS = [(state, event) for state in EssayStatus for event in Event]
EXPECTED = {
    (EssayStatus.READY, Event.SPELLCHECK_REQUESTED): EssayStatus.SPELLCHECK_PENDING,
    (EssayStatus.SPELLCHECK_FAILED, Event.SPELLCHECK_REQUESTED): EssayStatus.SPELLCHECK_PENDING,
    (
        EssayStatus.SPELLCHECK_PENDING,
        Event.SPELLCHECK_DISPATCHED,
    ): EssayStatus.SPELLCHECK_IN_PROGRESS,
    (EssayStatus.SPELLCHECK_PENDING, Event.SPELLCHECK_FAILED): EssayStatus.SPELLCHECK_FAILED,
    (
        EssayStatus.SPELLCHECK_IN_PROGRESS,
        Event.SPELLCHECK_SUCCEEDED,
    ): EssayStatus.SPELLCHECK_SUCCEEDED,
    (EssayStatus.SPELLCHECK_IN_PROGRESS, Event.SPELLCHECK_FAILED): EssayStatus.SPELLCHECK_FAILED,
    (
        EssayStatus.SPELLCHECK_SUCCEEDED,
        Event.CJ_ASSESSMENT_REQUESTED,
    ): EssayStatus.CJ_ASSESSMENT_PENDING,
    (
        EssayStatus.CJ_ASSESSMENT_FAILED,
        Event.CJ_ASSESSMENT_REQUESTED,
    ): EssayStatus.CJ_ASSESSMENT_PENDING,
    (
        EssayStatus.CJ_ASSESSMENT_PENDING,
        Event.CJ_ASSESSMENT_DISPATCHED,
    ): EssayStatus.CJ_ASSESSMENT_IN_PROGRESS,
    (
        EssayStatus.CJ_ASSESSMENT_PENDING,
        Event.CJ_ASSESSMENT_FAILED,
    ): EssayStatus.CJ_ASSESSMENT_FAILED,
    (
        EssayStatus.CJ_ASSESSMENT_IN_PROGRESS,
        Event.CJ_ASSESSMENT_SUCCEEDED,
    ): EssayStatus.CJ_ASSESSMENT_SUCCEEDED,
    (
        EssayStatus.CJ_ASSESSMENT_IN_PROGRESS,
        Event.CJ_ASSESSMENT_FAILED,
    ): EssayStatus.CJ_ASSESSMENT_FAILED,
    (EssayStatus.SPELLCHECK_SUCCEEDED, Event.COMPLETE): EssayStatus.COMPLETED,
    (EssayStatus.CJ_ASSESSMENT_SUCCEEDED, Event.COMPLETE): EssayStatus.COMPLETED,
    (EssayStatus.READY, Event.FILE_REPLACED): EssayStatus.READY,
    (EssayStatus.CONTENT_REJECTED, Event.FILE_REPLACED): EssayStatus.READY,
    (EssayStatus.READY, Event.FILE_REJECTED): EssayStatus.CONTENT_REJECTED,
    (EssayStatus.CONTENT_REJECTED, Event.FILE_REJECTED): EssayStatus.CONTENT_REJECTED,
    **{
        (state, Event.CANCEL): EssayStatus.CANCELLED
        for state in EssayStatus
        if state not in {EssayStatus.CONTENT_REJECTED, EssayStatus.COMPLETED, EssayStatus.CANCELLED}
    },
}


def essay(status: EssayStatus) -> Essay:
    return Essay(uuid.uuid4(), "b", "f", "e.txt", status, version=3, created_at=T0, updated_at=T0)


def test_the_table_is_exactly_the_lifecycle_we_mean():
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("state", "event"), sorted(EXPECTED, key=str))
def test_allowed_transition(state, event):
    at = T0 + timedelta(minutes=5)
    after = apply(essay(state), event, at=at, details={"n": 1}, correlation_id="c1")
    assert after.essay.updated_at == after.event.at == at and after.essay.created_at == T0
    assert after.essay.status is EXPECTED[(state, event)]
    assert after.essay.version == 4
    assert (after.event.sequence, after.event.from_status, after.event.to_status) == (
        4,
        state,
        EXPECTED[(state, event)],
    )
    assert after.event.event == event.value
    assert after.event.correlation_id == "c1"


@pytest.mark.parametrize(("state", "event"), [pair for pair in ALL_PAIRS if pair not in EXPECTED])
def test_refused_transition_names_the_state_and_what_is_allowed(state, event):
    with pytest.raises(IllegalTransition) as refused:
        next_status(uuid.uuid4(), state, event)
    assert refused.value.status == 409
    assert refused.value.extra["current_state"] == state.value
    assert refused.value.extra["allowed_events"] == allowed_events(state)
    assert event.value not in refused.value.extra["allowed_events"]


def test_terminal_states_allow_nothing_but_a_new_file_version():
    for state in TERMINAL:
        assert set(allowed_events(state)) <= {"file_replaced", "file_rejected"}


def run_with(open_essays: int, status: PhaseRunStatus = PhaseRunStatus.RUNNING) -> PhaseRun:
    return PhaseRun("b", Phase.SPELLCHECK, 1, status, 3, {}, False, open_essays, created_at=T0)


def test_an_essay_is_counted_out_of_its_run_and_the_last_one_reports():
    assert run_with(3).counted_out(1) == 2 and not reports(2)
    assert run_with(3).counted_out(3) == 0 and reports(0)
    assert run_with(0).counted_out(0) == 0 and reports(0)  # a run with nothing to wait for
    assert run_with(3, PhaseRunStatus.REPORTED).counted_out(1) is None
    assert not reports(None)  # a late arrival after the outcome changes nothing


def test_only_an_essay_that_leaves_others_open_settles_without_the_outcome():
    assert run_with(2).settles_alone()
    assert not run_with(1).settles_alone()  # the last one: its transaction sends the outcome
    assert not run_with(0).settles_alone()
    assert not run_with(2, PhaseRunStatus.REPORTED).settles_alone()
