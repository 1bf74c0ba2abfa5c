import pytest

from services.spell_checker.spelling.checking import (
    SUPPORTED_LANGUAGES,
    CheckResult,
    Correction,
    UnsupportedLanguage,
    checker_for,
)


def fixes(text: str, language: str = "en", **options: object) -> list[tuple[str, str]]:
    result = checker_for(language).check(text, **options)  # type: ignore[arg-type]
    return [(c.original, c.suggestion) for c in result.corrections]


def test_the_case_pattern_of_the_original_is_kept() -> None:
    assert fixes("Teh end of teh story.") == [("Teh", "The"), ("teh", "the")]
    assert fixes("TEH END OF TEH STORY") == [("TEH", "THE"), ("TEH", "THE")]
    assert checker_for("en").suggest("Recieve")[0] == "Receive"


def test_offsets_slice_the_original_and_rebuild_the_corrected_text() -> None:
    text = "😀👍🏽 I recieve 𝔪𝔞𝔦𝔩 and then I beleive it."
    result = checker_for("en").check(text)
    assert [text[c.start : c.end] for c in result.corrections] == ["recieve", "beleive"]
    assert result.corrected_text == "😀👍🏽 I receive 𝔪𝔞𝔦𝔩 and then I believe it."
    first = result.corrections[0]
    assert first.start == 6  # four code points of emoji, a space, "I", a space
    assert first.candidates[0] == first.suggestion and len(first.candidates) <= 5


def test_numbers_urls_emails_and_acronyms_are_left_alone() -> None:
    text = "In 2024 the NATO and OECD sites (https://nato.int/xq, www.oecdd.org) mailed qw@xqz.se"
    result = checker_for("en").check(text)
    assert result.corrections == ()
    # In, the, NATO, and, OECD, sites, mailed: nothing from the number, links or address.
    assert result.word_count == 7


def test_names_mid_sentence_are_left_alone_unless_asked() -> None:
    text = "Yesterday Kwabena and Siobhan visited Leeds."
    assert fixes(text) == []
    assert fixes(text, check_names=True) != []
    # Sentence-initial capitalised words are checked: "Thsi" is not a name.
    assert fixes("Thsi is it. Wich one?") == [("Thsi", "This"), ("Wich", "Which")]


def test_ignore_list_is_case_insensitive() -> None:
    text = "The recieve button and the Teh tab."
    assert fixes(text, ignore=["RECIEVE", "teh"]) == []
    assert fixes(text, ignore=["Recieve"]) == []  # only recieve ignored; Teh is a name here


def test_word_and_error_counts() -> None:
    result = checker_for("en").check("I recieve the mail, don't I? The barn's door is well-knwon.")
    assert result.word_count == 11
    assert result.error_count == 2 == len(result.corrections)
    assert [(c.original, c.suggestion) for c in result.corrections] == [
        ("recieve", "receive"),
        ("knwon", "known"),
    ]
    assert result.errors_per_100_words == round(200 / 11, 2)


def test_errors_per_100_words_is_zero_without_words_and_rounded() -> None:
    empty = checker_for("en").check("")
    assert (empty.word_count, empty.error_count, empty.errors_per_100_words) == (0, 0, 0.0)
    assert checker_for("en").check("2024 12:30 https://x.se").word_count == 0
    assert CheckResult("", (), 3, 1).errors_per_100_words == 33.33


def test_swedish_text_is_corrected_with_its_letters() -> None:
    text = "Jag gillar att skirva om min larare. Vi spelar fotbol på fotbollsplanen i Göteborg."
    result = checker_for("sv").check(text)
    assert [(c.original, c.suggestion) for c in result.corrections] == [
        ("skirva", "skriva"),
        ("larare", "lärare"),
        ("fotbol", "fotboll"),
    ]
    assert result.corrected_text == (
        "Jag gillar att skriva om min lärare. Vi spelar fotboll på fotbollsplanen i Göteborg."
    )
    assert result.word_count == 14


def test_swedish_hyphenated_and_capitalised_sentence_start() -> None:
    assert fixes("Skicka ett e-post till Anna. Forbjudit att röka.", "sv") == [
        ("Forbjudit", "Förbjudit")
    ]


def test_unsupported_language_lists_the_supported_ones() -> None:
    with pytest.raises(UnsupportedLanguage) as raised:
        checker_for("de")
    assert raised.value.supported == SUPPORTED_LANGUAGES == ("en", "sv")
    assert "en" in str(raised.value) and "sv" in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_checkers_are_loaded_once_per_process() -> None:
    assert checker_for("en") is checker_for("en")
    assert checker_for("sv").language == "sv"


def test_correction_is_a_frozen_value() -> None:
    correction = Correction(0, 3, "teh", "the", ("the",))
    with pytest.raises(AttributeError):
        correction.start = 1  # type: ignore[misc]


def test_hyphenated_words_are_checked_part_by_part() -> None:
    text = "An x-ray of a well-knwon e-mail."
    result = checker_for("en").check(text)
    assert [(text[c.start : c.end], c.suggestion) for c in result.corrections] == [
        ("knwon", "known")
    ]
    assert result.word_count == 6
    assert fixes("Han skrev ett e-brev med e-post.", "sv") == []


def test_typographic_apostrophes_count_as_apostrophes() -> None:
    assert fixes("I don’t know; it’s the barn’s door.") == []
    assert fixes("The don’t button.", ignore=["don't"]) == []


def test_unknown_words_without_candidates_are_reported_apart_and_left_as_written() -> None:
    text = "The zqxjvwpk report was recieved."
    result = checker_for("en").check(text)
    assert [(u.original, text[u.start : u.end]) for u in result.unknown] == [
        ("zqxjvwpk", "zqxjvwpk")
    ]
    assert result.unknown_count == 1
    assert [(c.original, c.suggestion) for c in result.corrections] == [("recieved", "received")]
    assert result.error_count == 1  # unknown words are not counted as corrected errors
    assert "zqxjvwpk" in result.corrected_text


def test_known_text_has_no_unknown_words() -> None:
    result = checker_for("en").check("The report was received.")
    assert (result.unknown, result.unknown_count) == ((), 0)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The river intermingles, the town redistricts, ivy overgrew and he burnishes."),
        ("en", "Their ribaldry was salable."),
        ("sv", "Knäckebröden och skorpionens gift vidareutbildats, koden exekveras."),
        ("sv", "Incheckningar, omlokaliseringar och loggning av rekursiv hanterare."),
        ("sv", "Den konfigurerats och kan fördröjas; tagg, ospårade, omdirigering, inzoomade."),
    ],
)
def test_inflected_derived_and_compound_forms_are_words(language: str, text: str) -> None:
    result = checker_for(language).check(text)
    assert result.corrections == () and result.unknown == ()
    assert result.corrected_text == text


def test_morphology_does_not_accept_misspellings() -> None:
    assert fixes("I recieve teh mail.") == [("recieve", "receive"), ("teh", "the")]
    assert [c.original for c in checker_for("sv").check("En hunnd och en katt.").corrections] == [
        "hunnd"
    ]
    assert not checker_for("sv").knows("xyzqvbröd")
