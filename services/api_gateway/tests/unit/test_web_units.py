"""The web app's pure parts: the catalogues, the language choice, the form -> request mapping,
the problem -> field mapping, corrections over a text, the scale's geometry, safe redirects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from services.api_gateway.web import scale
from services.api_gateway.web.i18n import MESSAGES, Translator, choose, from_accept_language
from services.api_gateway.web.pages.session import safe_next
from services.api_gateway.web.use_cases import batch_request, field_errors, segments_of

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
MSGS = {"whole": "W", "number": "N", "anchor_grade": "G", "anchor_text": "T"}


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    en = json.loads((MESSAGES / "en.json").read_text("utf-8"))
    sv = json.loads((MESSAGES / "sv.json").read_text("utf-8"))
    assert set(en) == set(sv)
    for key in en:
        assert set(re.findall(r"\{(\w+)\}", en[key])) == set(re.findall(r"\{(\w+)\}", sv[key])), key


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    en = json.loads((MESSAGES / "en.json").read_text("utf-8"))
    used: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text("utf-8")))
    assert used and not used - set(en), sorted(used - set(en))


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        (None, "de-DE,en;q=0.5,sv;q=0.9", "sv"),
        (None, "fr", "en"),
        ("sv", "en", "sv"),
        ("xx", "en-GB", "en"),
        (None, None, "en"),
    ],
)
def test_the_language(cookie: str | None, header: str | None, expected: str) -> None:
    assert choose(cookie, header) == expected


def test_a_bad_weight_is_ignored_and_missing_keys_show() -> None:
    assert from_accept_language("sv;q=abc, en") == "en"
    assert Translator("sv")("no.such.key") == "no.such.key"
    assert Translator("sv")("upload.waiting", n=3).startswith("Väntar på att 3")


def test_the_form_becomes_the_orchestrators_request() -> None:
    body, errors = batch_request(
        {
            "name": " 9B ",
            "language": "sv",
            "run": "full",
            "judge": "human",
            "min_comparisons": "5",
            "max_comparisons": "12",
            "target_reliability": "0,85",
            "grade_scale": "E, C,A",
            "anchor_grade_0": "A",
            "anchor_text_0": "Text",
        },
        MSGS,
    )
    assert errors == {}
    assert body == {
        "name": "9B",
        "language": "sv",
        "pipeline": "full",
        "cj": {
            "judge": "human",
            "min_comparisons_per_essay": 5,
            "max_comparisons_per_essay": 12,
            "target_reliability": 0.85,
            "grade_scale": ["E", "C", "A"],
            "anchors": [{"grade": "A", "text": "Text"}],
        },
    }
    spelling, _ = batch_request({"name": "x", "language": "en", "run": "spellcheck"}, MSGS)
    assert spelling == {"name": "x", "language": "en", "pipeline": "spellcheck"}
    _, errors = batch_request(
        {
            "run": "full",
            "max_comparisons": "1.5",
            "target_reliability": "nan",
            "anchor_text_1": "t",
        },
        MSGS,
    )
    assert errors == {
        "max_comparisons": "W",
        "target_reliability": "N",
        "anchor_grade_1": "G",
    }


def test_a_problem_maps_to_fields() -> None:
    found, left = field_errors(
        {
            "detail": "the request is invalid",
            "errors": [
                {"loc": ["body", "name"], "msg": "too short"},
                {"loc": ["body", "cj", "anchors", 1, "text"], "msg": "needs text"},
                {"loc": ["body", "cj", "target_reliability"], "msg": "below 1"},
                {"loc": ["body", "unknown"], "msg": "what"},
            ],
        }
    )
    assert found == {
        "name": "too short",
        "anchor_text_1": "needs text",
        "target_reliability": "below 1",
    }
    assert left == "what"
    assert field_errors({"detail": "conflict"}) == ({}, "conflict")


def test_corrections_cut_the_text_and_bad_offsets_are_skipped() -> None:
    text = "Teh cat sat"
    parts = segments_of(
        text,
        [
            {"start": 8, "end": 11, "suggestion": "sit"},
            {"start": 0, "end": 3, "suggestion": "The"},
            {"start": 2, "end": 5, "suggestion": "overlap"},
            {"start": 9, "end": 99, "suggestion": "out of range"},
        ],
    )
    assert "".join(p for p, _ in parts) == text
    assert [(p, c["suggestion"]) for p, c in parts if c] == [("Teh", "The"), ("sat", "sit")]


def test_the_scale_places_points_bars_anchors_and_bands() -> None:
    drawing = scale.draw(
        [
            {"essay_id": "a", "score": 2.0, "se": 0.5, "grade": "A"},
            {"essay_id": "b", "score": 0.0, "se": 0.2, "grade": "C"},
            {"essay_id": "k", "score": 1.0, "se": 0.1, "anchor": True, "anchor_grade": "B"},
        ],
        {"a": "a.txt", "b": "b.txt"},
        ["C", "B", "A"],
    )
    assert drawing is not None
    xs = {p.label: p for p in drawing.points}
    assert xs["a.txt"].x > xs["k (B)"].x > xs["b.txt"].x  # higher scores to the right
    assert xs["a.txt"].lo < xs["a.txt"].x < xs["a.txt"].hi
    assert xs["k (B)"].anchor and not xs["a.txt"].anchor
    assert [b.grade for b in drawing.bands] == ["C", "B", "A"]
    assert all(
        b.x0 <= xs_.x
        for b, xs_ in zip(drawing.bands, [xs["b.txt"], xs["k (B)"], xs["a.txt"]], strict=True)
    )
    assert all(b.x0 < b.x1 for b in drawing.bands)
    assert scale.draw([], {}, []) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/batches/1/results", "/batches/1/results"),
        ("//evil.example", "/batches"),
        ("https://evil.example", "/batches"),
        ("/\\evil.example", "/batches"),
        (None, "/batches"),
    ],
)
def test_only_local_redirects(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected
