"""WEB JUDGING's pure rules: what the judging script may see of a pair, the invitation form's
checks, the judging progress target, and the two catalogues having the same keys."""

from __future__ import annotations

import json

from services.api_gateway.web.gateway import Answer
from services.api_gateway.web.i18n import MESSAGES
from services.api_gateway.web.judging import (
    check_invitation_form,
    pair_payload,
    progress_of,
)


def test_a_pair_reaches_the_script_without_ids_or_scores() -> None:
    body = {
        "pair_id": "p1",
        "essay_a": {"essay_id": "e1", "text": "first"},
        "essay_b": {"essay_id": "e2", "text": "second"},
        "lease_until": "2026-12-05T00:00:00Z",
    }
    payload = pair_payload(Answer(200, json.dumps(body).encode()))
    assert payload == {"state": "pair", "pair_id": "p1", "a": "first", "b": "second"}


def test_no_pair_is_done_waiting_or_preparing() -> None:
    assert pair_payload(Answer(204, b"")) == {"state": "done"}
    assert pair_payload(Answer(204, b"", {"Retry-After": "3"})) == {
        "state": "wait",
        "retry_after": 3,
    }
    assert pair_payload(Answer(409, b"", {"retry-after": "1"}))["state"] == "preparing"
    assert pair_payload(Answer(404, b""))["state"] == "error"


def test_the_invitation_form_refuses_a_bad_email_and_hours() -> None:
    assert check_invitation_form("", "") == ({}, None)
    assert check_invitation_form("a@school.se", "48") == ({}, 48.0)
    errors, _ = check_invitation_form("not an email", "0")
    assert errors == {"email": "judges.email_invalid", "hours": "judges.hours_invalid"}
    assert check_invitation_form("", "721")[0] == {"hours": "judges.hours_invalid"}
    assert check_invitation_form("", "1.5")[0] == {"hours": "judges.hours_invalid"}


def test_progress_counts_the_budget_and_the_judges_own() -> None:
    assessment = {
        "essays": 11,
        "comparisons": 7,
        "settings": {"max_comparisons_per_essay": 20},
        "report": {"judges": [{"judge_id": "me", "judgements": 4}, {"judge_id": "x"}]},
    }
    progress = progress_of(assessment, "me")
    assert (progress.done, progress.target, progress.mine) == (7, 110, 4)


def test_both_judging_catalogues_have_every_key() -> None:
    en = json.loads((MESSAGES / "judging.en.json").read_text("utf-8"))
    sv = json.loads((MESSAGES / "judging.sv.json").read_text("utf-8"))
    assert en.keys() == sv.keys()
    assert all(value.strip() for value in [*en.values(), *sv.values()])
