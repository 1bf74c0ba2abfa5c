"""Evidence for the wordfreq frequency cut-offs in services/spell_checker/spelling/dictionaries.py.

English: how many of codespell's misspellings a wordfreq list cut at each frequency would
accept as words (the noise), against how many words it adds beyond the curated SCOWL-based
list. Swedish (no curated list or misspelling list ships): how many of our keyboard typos of
frequent words the list accepts, against the share of running text (wordfreq's token mass)
it covers.
"""

from __future__ import annotations

import random

import wordfreq

from bench.spell import pairs
from services.spell_checker.spelling.dictionaries import (
    FREQUENCY_CUTOFFS,
    drop_slips,
    symspell_english,
    wordfreq_words,
)

CUTOFFS = (1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 3e-6)


def english() -> None:
    full = wordfreq.get_frequency_dict("en", "large")
    curated = set(symspell_english())
    misspellings = {wrong for wrong, right in pairs.codespell_lines() if right in curated}
    misspellings -= curated
    print("| en cut-off | wordfreq words | beyond the curated list | codespell typos accepted |")
    print("|---|---|---|---|")
    for cutoff in CUTOFFS:
        kept = {w for w, f in full.items() if f >= cutoff and w.isalpha()}
        accepted = len(misspellings & kept)
        print(
            f"| {cutoff:.0e} | {len(kept):,} | {len(kept - curated):,} | "
            f"{accepted:,} of {len(misspellings):,} ({100 * accepted / len(misspellings):.2f} %) |"
        )


def swedish() -> None:
    full = wordfreq.get_frequency_dict("sv", "large")
    rng = random.Random(pairs.SEED)
    near = {key: sorted(keys) for key, keys in pairs.neighbours("sv").items()}
    sources = [w for w in wordfreq.top_n_list("sv", 20000) if len(w) >= 4 and w.isalpha()]
    typos: set[str] = set()
    while len(typos) < 5000:
        word = rng.choice(sources)
        typo = pairs.swedish_typo(word, rng, near)
        if typo != word:
            typos.add(typo)
    print("\n| sv cut-off | words | text covered | keyboard typos accepted as words |")
    print("|---|---|---|---|")
    for cutoff in CUTOFFS:
        kept = {w for w, f in full.items() if f >= cutoff and w.isalpha()}
        mass = sum(f for w, f in full.items() if w in kept)
        accepted = len(typos & kept)
        print(
            f"| {cutoff:.0e} | {len(kept):,} | {100 * mass:.2f} % | "
            f"{100 * accepted / len(typos):.1f} % |"
        )


def slips() -> None:
    """What the slip filter (dictionaries.drop_slips) removes at the chosen cut-offs."""
    print()
    for language, cutoff in FREQUENCY_CUTOFFS.items():
        words = wordfreq_words(language, cutoff)
        curated = symspell_english().keys() if language == "en" else ()
        dropped = drop_slips(words, curated)
        shown = ", ".join(random.Random(pairs.SEED).sample(dropped, min(12, len(dropped))))
        print(f"{language} at {cutoff:.0e}: {len(dropped)} slips dropped, e.g. {shown}")


def main() -> None:
    english()
    swedish()
    slips()
