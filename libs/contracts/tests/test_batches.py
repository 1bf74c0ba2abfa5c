"""batch_orchestrator -> essay_lifecycle: registration, phase commands (with their
settings), and the summary answer."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.batches import (
    Anchor,
    BatchIn,
    CjSettings,
    PhaseCommandIn,
    SpellcheckSettings,
    SummaryOut,
)
from contracts.tests.helpers import as_json, refuses, with_unknown_field


def registration(expected: int | None = 12) -> dict[str, Any]:
    # batch_orchestrator/service.py: create_batch, the body of the registration call
    return {
        "batch_id": uuid.uuid4().hex,
        "language": "auto",
        "callback_url": "http://batch-orchestrator:8000",
        "expected_essay_count": expected,
    }


def settings(cj: CjSettings | None = None) -> dict[str, Any]:
    # batch_orchestrator/api.py: create_batch assembles the batch settings this way
    return {
        "spellcheck": SpellcheckSettings(ignore=["Hemingway"]).model_dump(),
        "cj_assessment": (cj or CjSettings()).model_dump(),
    }


def phase_command(phase: str, essay_ids: list[str] | None = None) -> dict[str, Any]:
    # batch_orchestrator/service.py: _command_phase
    body: dict[str, Any] = {
        "attempt": 2,
        "last_phase": phase == "cj_assessment",
        "settings": settings().get(phase, {}),
    }
    if essay_ids is not None:
        body["essay_ids"] = essay_ids
    return body


def test_registration_validates() -> None:
    assert BatchIn.model_validate(as_json(registration())).language == "auto"
    assert BatchIn.model_validate(as_json(registration(None))).expected_essay_count is None


def test_registration_refuses_unknown_fields_and_bad_values() -> None:
    refuses(BatchIn, with_unknown_field(registration()))
    refuses(BatchIn, {**registration(), "language": "de"})
    refuses(BatchIn, {**registration(), "batch_id": "a\x00"})
    refuses(BatchIn, {**registration(), "batch_id": "x" * 65})
    refuses(BatchIn, {**registration(), "expected_essay_count": 2**31})
    refuses(BatchIn, {**registration(), "callback_url": ""})


def test_phase_commands_validate() -> None:
    spell = PhaseCommandIn.model_validate(as_json(phase_command("spellcheck")))
    assert spell.settings == {"ignore": ["Hemingway"]}
    ids = [str(uuid.uuid4())]
    cj = PhaseCommandIn.model_validate(as_json(phase_command("cj_assessment", ids)))
    assert cj.essay_ids == [uuid.UUID(ids[0])]
    assert CjSettings.model_validate(cj.settings) == CjSettings()
    assert SpellcheckSettings.model_validate(spell.settings).ignore == ["Hemingway"]


def test_phase_command_refuses_unknown_fields_and_bad_values() -> None:
    refuses(PhaseCommandIn, with_unknown_field(phase_command("spellcheck")))
    refuses(PhaseCommandIn, {**phase_command("spellcheck"), "attempt": 2**31})
    refuses(PhaseCommandIn, {**phase_command("spellcheck"), "settings": {"ignore": ["a\x00"]}})
    refuses(PhaseCommandIn, {**phase_command("spellcheck"), "essay_ids": ["not-a-uuid"]})


# essay_lifecycle's ``Int32 = Field(default=1, ge=1)`` loses its ge=1 (pydantic keeps the
# Annotated bounds of Int32 only); the contract keeps what the consumer does today.
def test_phase_command_refuses_attempt_zero() -> None:
    refuses(PhaseCommandIn, {**phase_command("spellcheck"), "attempt": 0})


def test_settings_limits() -> None:
    refuses(CjSettings, {"judge": "oracle"})
    refuses(CjSettings, {"surprise": 1})
    refuses(CjSettings, {"max_comparisons_per_essay": 501})
    refuses(CjSettings, {"target_reliability": 1})
    refuses(SpellcheckSettings, {"ignore": ["x"] * 1001})
    refuses(Anchor, {"grade": "A"})
    refuses(Anchor, {"grade": "A", "text": "t", "content_id": "c"})
    refuses(Anchor, {"grade": "A" * 17, "text": "t"})
    assert Anchor(grade="A", text="an essay").content_id is None


def test_summary_answer_validates() -> None:
    # essay_lifecycle/api.py: batch_summary builds SummaryOut from service.summary
    answer = SummaryOut(
        batch_id="b",
        total=3,
        expected_essay_count=None,
        by_status={"ready": 2, "content_rejected": 1},
        terminal=1,
        completion_percent=33.3,
        phases=[{"phase": "spellcheck", "attempt": 1, "status": "running"}],
    )
    read = SummaryOut.model_validate(as_json(answer.model_dump(mode="json")))
    assert read.by_status["ready"] == 2
    refuses(SummaryOut, {"batch_id": "b", "total": 0})
