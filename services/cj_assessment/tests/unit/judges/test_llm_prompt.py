"""The LLM judge's prompt and the parsing of its answers (no network here; the client is
tested against a fake server in tests/integration/test_llm.py)."""

from __future__ import annotations

import json

import pytest

from services.cj_assessment.judges.llm import DEFAULT_INSTRUCTIONS, build_messages, parse_verdict


def answer(content: object) -> dict[str, object]:
    return {"choices": [{"message": {"role": "assistant", "content": content}}]}


def test_the_prompt_carries_the_instructions_and_both_essays_in_order():
    system, user = build_messages("Judge the argument only.", "First essay.", "Second essay.")
    assert system["role"] == "system" and "JSON" in system["content"]
    assert user["role"] == "user"
    text = user["content"]
    assert "Judge the argument only." in text
    assert text.index("Essay A") < text.index("First essay.") < text.index("Essay B")
    assert text.index("Essay B") < text.index("Second essay.")


def test_without_instructions_the_prompt_uses_the_default_task():
    _, user = build_messages(None, "x", "y")
    assert DEFAULT_INSTRUCTIONS in user["content"]


@pytest.mark.parametrize(
    ("content", "winner", "confidence"),
    [
        (json.dumps({"winner": "A", "confidence": 0.8, "justification": "clearer"}), "a", 0.8),
        (json.dumps({"winner": "b", "confidence": 1.7}), "b", 1.0),
        (json.dumps({"winner": "Essay B", "confidence": "high"}), "b", None),
        ('```json\n{"winner": "A", "confidence": 0.6}\n```', "a", 0.6),
    ],
)
def test_well_formed_answers_are_read(content, winner, confidence):
    verdict = parse_verdict(answer(content))
    assert (verdict.winner, verdict.confidence) == (winner, confidence)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"choices": []}, "no choices"),
        ({"error": "x"}, "no choices"),
        (answer(None), "not text"),
        (answer("I think A is better."), "not JSON"),
        (answer("[1, 2]"), "not a JSON object"),
        (answer(json.dumps({"winner": "C"})), "winner must be"),
        (answer(json.dumps({"confidence": 0.9})), "winner must be"),
    ],
)
def test_malformed_answers_say_what_is_wrong(body, problem):
    with pytest.raises(ValueError, match=problem):
        parse_verdict(body)


def test_a_long_justification_is_cut():
    verdict = parse_verdict(answer(json.dumps({"winner": "a", "justification": "x" * 5000})))
    assert verdict.justification is not None and len(verdict.justification) == 2000
