import itertools
import math

import pytest

from services.spell_checker.spelling.alignment import ErrorModel
from services.spell_checker.spelling.checking import checker_for
from services.spell_checker.spelling.delete_index import DeleteIndex, deletes_up_to_two
from services.spell_checker.spelling.dictionaries import Lexicon, drop_slips
from services.spell_checker.spelling.engine import Corrector
from services.spell_checker.spelling.keyboard import neighbours


def small_corrector(language: str, frequencies: dict[str, float]) -> Corrector:
    return Corrector(Lexicon(language, {w: math.log10(f) for w, f in frequencies.items()}))


def test_swedish_keyboard_has_the_swedish_letters_where_they_are() -> None:
    sv = neighbours("sv")
    assert "å" in sv["p"] and "ö" in sv["l"] and "ä" in sv["ö"]
    assert "å" not in neighbours("en")["p"]
    assert sv["s"] == {"a", "d", "w", "e", "z", "x"}


def test_error_model_prices_likely_slips_below_arbitrary_edits() -> None:
    model = ErrorModel("en")
    assert model.cost("teh", "the") < model.cost("tke", "the")  # a swap, not two substitutions
    assert model.cost("thw", "the") < model.cost("thp", "the")  # w is next to e, p is not
    assert model.cost("untill", "until") < model.cost("untilk", "until")  # doubled letter
    assert model.cost("acomodate", "accommodate") < 1.5  # two single letters of doubles
    assert model.cost("the", "the") == 0
    assert model.cost("abcdef", "uvwxyz", budget=1.0) > 1.0


def test_error_model_makes_lost_swedish_diacritics_cheap() -> None:
    model = ErrorModel("sv")
    assert model.cost("larare", "lärare") < model.cost("lbrare", "lärare")
    assert model.cost("forbjudit", "förbjudit") < 0.5


def test_deletes_up_to_two_leave_out_every_one_or_two_letters() -> None:
    word = "ballad"
    expected = {word} | {
        "".join(letter for i, letter in enumerate(word) if i not in gone)
        for size in (1, 2)
        for gone in itertools.combinations(range(len(word)), size)
    }
    assert set(deletes_up_to_two(word)) == expected


def test_delete_index_keeps_near_and_far_keys_apart() -> None:
    index = DeleteIndex(["house", "mouse", "houses"], prefix=7)
    # Near keys: the word and its one-letter deletes.
    assert index.lookup(["ouse"], [])[0] == [0, 1]
    assert index.lookup(["hose"], [])[0] == [0]
    assert index.lookup(["houses"], [])[0] == [2]
    # Far keys: one- or two-letter deletes of the prefix ("houses" less h and s is "ouse").
    near, far = index.lookup([], ["ouse"])
    assert near == [] and sorted(set(far.tolist())) == [0, 1, 2]
    near, far = index.lookup(["zzzz"], ["zzzz"])
    assert near == [] and far.tolist() == []


def test_ties_are_settled_by_the_word_not_by_the_order_found() -> None:
    # Same frequency, same cost (one neighbouring key): the later word in sort order wins
    # however the candidates were reached.
    corrector = small_corrector("en", {"cat": 1e-4, "car": 1e-4, "dog": 1e-3})
    assert corrector.suggest("caf", 1) == ["cat"]
    assert corrector.suggest("caf", 2) == ["cat", "car"]


def test_ranking_weighs_frequency_against_the_cost_of_the_edits() -> None:
    corrector = small_corrector("en", {"the": 5e-2, "then": 1e-3, "thee": 1e-7, "tech": 1e-5})
    assert corrector.suggest("teh", 1) == ["the"]
    # A common word one cheap edit away beats a rare word one edit away.
    assert corrector.suggest("thee", 1) == ["thee"]  # known words are their own suggestion
    assert corrector.suggest("thwn", 1) == ["then"]
    assert corrector.suggest("qqqqqq", 3) == []


def test_far_candidates_two_edits_away_are_found() -> None:
    corrector = small_corrector("en", {"accommodate": 1e-5, "accumulate": 1e-5, "a": 1e-2})
    assert corrector.suggest("acomodate", 1) == ["accommodate"]
    assert "accommodate" in corrector.candidates("acomodate")


def test_slips_of_much_more_frequent_words_are_dropped_from_word_lists() -> None:
    frequencies = {"the": 5e-2, "teh": 1e-6, "förbjudit": 1e-5, "forbjudit": 2e-8, "ten": 1e-4}
    dropped = drop_slips(frequencies, protected={"ten"})
    assert dropped == ["forbjudit", "teh"]
    assert set(frequencies) == {"the", "förbjudit", "ten"}


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("recieve", "receive"),
        ("seperate", "separate"),
        ("goverment", "government"),
        ("acomodate", "accommodate"),
        ("definately", "definitely"),
        ("beleive", "believe"),
        ("teh", "the"),
        ("strcutre", "structure"),
    ],
)
def test_real_english_corrections(typo: str, word: str) -> None:
    assert checker_for("en").suggest(typo)[0] == word


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("skirva", "skriva"),
        ("larare", "lärare"),
        ("fotbol", "fotboll"),
        ("hudn", "hund"),
        ("forbjudit", "förbjudit"),
        ("kolektivtrafik", "kollektivtrafik"),
        ("mycekt", "mycket"),
    ],
)
def test_real_swedish_corrections(typo: str, word: str) -> None:
    assert checker_for("sv").suggest(typo)[0] == word


def test_swedish_compounds_of_two_known_words_are_words() -> None:
    sv = checker_for("sv")
    lexicon = sv.lexicon
    for compound in ("hundsoffa", "skolgårdsträd", "fotbollsplanen"):
        assert sv.knows(compound), compound
    assert "hundsoffa" not in lexicon  # known only as a compound
    assert not sv.knows("hudn")
    assert not sv.knows("bokhyllsplan")  # "bokhyll" is not a word
