from pathlib import Path

import pytest

from service_kit.language import detect_language, resolve_language

SOURCES = Path(__file__).resolve().parents[3] / "samples" / "sources"


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.txt")), ids=lambda p: p.stem)
def test_each_sample_essay_is_told_apart_by_its_function_words(path):
    assert detect_language(path.read_text(encoding="utf-8")) == path.name[:2]


def test_short_texts_and_misspelled_swedish_still_have_a_language():
    assert detect_language("Jag tyker att det är vikitgt.") == "sv"
    assert detect_language("I beleive this is the best way.") == "en"


def test_no_evidence_gives_the_default():
    assert detect_language("12 345 — 67", default="sv") == "sv"
    assert detect_language("") == "en"


def test_resolve_keeps_an_explicit_language_even_against_the_text():
    assert resolve_language("en", "Det här är svenska.") == "en"
    assert resolve_language("auto", "Det här är svenska.") == "sv"
