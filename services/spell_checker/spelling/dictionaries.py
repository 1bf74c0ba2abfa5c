"""The word lists with frequencies behind each language, read from installed packages only.

wordfreq's "large" lists give every language the same kind of frequencies (web, subtitles,
books, Wikipedia), but their low end is noisy: common misspellings such as "teh" (1.1e-6) or
"recieve" (5.6e-7) sit among real rare words. So a word list is wordfreq cut at a frequency
chosen on evidence (see `bench/spell/cutoff.py` and docs/benchmarks.md), and for English joined
with symspellpy's bundled list, which is the intersection of Google Books n-grams with the SCOWL
word lists and so holds rare but real words without the web's typos.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources

import wordfreq

# Frequencies below these are too often typos to count as words (evidence in bench/spell).
FREQUENCY_CUTOFFS: dict[str, float] = {"en": 1e-6, "sv": 1e-7}
# Words with letters only, possibly joined by apostrophes ("don't", "o'clock").
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Frequency given to words that only the curated list knows: rarer than anything wordfreq keeps.
_CURATED_FLOOR = 1e-8
# A rare word this many times less frequent than a slip-away word is taken for a misspelling.
SLIP_RATIO = 100.0
_PLAIN = {"å": "a", "ä": "a", "ö": "o", "é": "e"}


@dataclass(frozen=True)
class Lexicon:
    """Lowercase words of one language with their log10 relative frequencies."""

    language: str
    log_frequencies: dict[str, float]

    def __contains__(self, word: object) -> bool:
        return word in self.log_frequencies

    def __len__(self) -> int:
        return len(self.log_frequencies)

    def log_frequency(self, word: str) -> float | None:
        return self.log_frequencies.get(word)


def wordfreq_words(language: str, cutoff: float) -> dict[str, float]:
    """wordfreq's large list for `language`: word -> frequency, words only, at or above cutoff."""
    return {
        word: frequency
        for word, frequency in wordfreq.get_frequency_dict(language, "large").items()
        if frequency >= cutoff and _WORD.fullmatch(word)
    }


def symspell_english() -> dict[str, int]:
    """symspellpy's bundled English list: word -> count in Google Books."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, count = line.partition(" ")
            if _WORD.fullmatch(word):
                counts[word] = int(count)
    return counts


def _slips(word: str) -> set[str]:
    """What a writer aiming at `word` may type: a swapped pair, a doubled or undoubled
    letter, a lost diacritic (forbjudit for förbjudit)."""
    found = set()
    for i in range(len(word)):
        letter = word[i]
        if i + 1 < len(word) and word[i + 1] != letter:
            found.add(word[:i] + word[i + 1] + letter + word[i + 2 :])
        if i + 1 < len(word) and word[i + 1] == letter:
            found.add(word[:i] + word[i + 1 :])
        else:
            found.add(word[:i] + letter + word[i:])
        if letter in _PLAIN:
            found.add(word[:i] + _PLAIN[letter] + word[i + 1 :])
    found.discard(word)
    return found


def drop_slips(frequencies: dict[str, float], protected: Collection[str] = ()) -> list[str]:
    """Remove rare entries that are a slip of a far more frequent word; return them.

    wordfreq counts what people type, so "teh" (1.1e-6) and "forbjudit" are in it. A word at
    least SLIP_RATIO times rarer than a word one swap, doubling or lost diacritic away is taken
    to be that word misspelt. Curated words (`protected`) are never removed. Slips are made
    from the frequent words (few) rather than looked for from the rare ones (many).
    """
    rarest = min(frequencies.values(), default=1.0)
    dropped: set[str] = set()
    for word, frequency in frequencies.items():
        if frequency < SLIP_RATIO * rarest:
            continue
        for slip in _slips(word):
            found = frequencies.get(slip)
            if found is not None and found * SLIP_RATIO <= frequency and slip not in protected:
                dropped.add(slip)
    for word in dropped:
        del frequencies[word]
    return sorted(dropped)


def load_lexicon(language: str, cutoff: float | None = None) -> Lexicon:
    """The lexicon for `language` ("en" or "sv"); `cutoff` overrides the chosen one."""
    if cutoff is None:
        cutoff = FREQUENCY_CUTOFFS[language]
    frequencies = wordfreq_words(language, cutoff)
    curated: Collection[str] = ()
    if language == "en":
        # Curated words wordfreq cut away keep their wordfreq frequency when it has one, so
        # that rare real words still outrank nothing, but never outrank common words.
        full = wordfreq.get_frequency_dict("en", "large")
        curated = symspell_english().keys()
        for word in curated:
            if word not in frequencies:
                frequencies[word] = full.get(word, _CURATED_FLOOR)
    drop_slips(frequencies, curated)
    return Lexicon(
        language, {word: math.log10(frequency) for word, frequency in frequencies.items()}
    )
