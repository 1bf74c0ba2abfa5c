"""Confidence before rewriting, and the counts of issue 17: a correction is written into the
text only when its suggestion is clearly the intended word; otherwise it is flagged with its
candidates and the text keeps what the pupil wrote. Unknown words with no candidate are
reported and counted apart."""

from services.spell_checker.spelling.checking import ENDINGS, _same_word, checker_for


def test_clear_typos_are_rewritten_even_when_the_runner_up_is_a_form_of_the_best() -> None:
    # sentence/sentences, gillar/gilla..., kvällen/kvällens: agreement, not rivals
    for language, typo, meant in (
        ("en", "sentense", "sentence"),
        ("en", "recieve", "receive"),
        ("sv", "gilar", "gillar"),
        ("sv", "kvälen", "kvällen"),
    ):
        found = checker_for(language).assess(typo)
        assert found.candidates[0] == meant and found.sure, (typo, found)


def test_an_unsure_correction_is_flagged_with_candidates_and_the_text_is_kept() -> None:
    text = "It was wierd and the teh end."
    result = checker_for("en").check(text)
    by_word = {c.original: c for c in result.corrections}
    # weird or wired: too close to call, so flagged only
    assert not by_word["wierd"].applied and by_word["wierd"].candidates[:2] == ("weird", "wired")
    assert by_word["teh"].applied and by_word["teh"].suggestion == "the"
    assert result.corrected_text == "It was wierd and the the end."
    assert (result.error_count, result.corrected_count, result.flagged_count) == (2, 1, 1)


def test_unknown_words_are_counted_apart_from_errors() -> None:
    result = checker_for("en").check("The beaurocracy was approproximate, recieve it.")
    assert [u.original for u in result.unknown] == ["beaurocracy", "approproximate"]
    assert (result.unknown_count, result.error_count, result.corrected_count) == (2, 1, 1)
    assert result.corrected_text == "The beaurocracy was approproximate, receive it."


def test_a_form_of_the_best_candidate_is_not_its_rival() -> None:
    assert _same_word("sentence", "sentences", ENDINGS["en"])
    assert _same_word("kvällen", "kvällar", ENDINGS["sv"])
    assert not _same_word("their", "there", ENDINGS["en"])
    assert not _same_word("weird", "wired", ENDINGS["en"])


def test_correct_rare_words_are_not_rewritten() -> None:
    # words the issue saw rewritten: ribaldry -> rivalry, salable -> scalable, operand ->
    # operans, hanterare -> hanterade, rekursiv -> kursiv, loggning -> läggning, tagg -> tag
    en = checker_for("en").check("Ribaldry is salable.")
    assert en.corrected_text == "Ribaldry is salable." and en.corrections == ()
    text = "En operand, hanterare, rekursiv loggning och en tagg inlästa."
    sv = checker_for("sv").check(text)
    assert sv.corrected_text == text
