"""The peers, each wrapped as a function misspelling -> top suggestion (or None)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from spellchecker import SpellChecker as PySpellChecker
from symspellpy import SymSpell, Verbosity

from services.spell_checker.spelling.dictionaries import Lexicon

Suggest = Callable[[str], "str | None"]


def _counts(lexicon: Lexicon) -> dict[str, int]:
    """Our frequencies as the integer counts both peers expect (per 10^10 words)."""
    return {word: max(1, round(10 ** (lf + 10))) for word, lf in lexicon.log_frequencies.items()}


def pyspellchecker(language: str, lexicon: Lexicon) -> Suggest:
    if language == "en":
        checker = PySpellChecker()  # its defaults: bundled English, distance 2
    else:
        # pyspellchecker ships no Swedish: it gets the same Swedish word list as ours.
        checker = PySpellChecker(language=None)
        checker.word_frequency.load_json(_counts(lexicon))
    return checker.correction


def symspell(language: str, lexicon: Lexicon) -> Suggest:
    engine = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    if language == "en":
        path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
        engine.load_dictionary(str(path), term_index=0, count_index=1)
    else:
        for word, count in _counts(lexicon).items():
            engine.create_dictionary_entry(word, count)

    def suggest(word: str) -> str | None:
        found = engine.lookup(word, Verbosity.CLOSEST, max_edit_distance=2)
        return found[0].term if found else None

    return suggest
