"""The benchmark's (misspelling, correction) pairs, built deterministically.

English: codespell's list of common misspellings (codespell_lib/data/dictionary.txt, derived in
part from Wikipedia's "Lists of common misspellings"), lines with exactly one correction, both
sides lowercase letters only, the correction a word of our English dictionary and the
misspelling not one.

Swedish: no public list of real Swedish misspellings ships in a package, so typos are made from
frequent Swedish words (wordfreq's top list) with the slips a writer on a Swedish QWERTY
keyboard makes: a neighbouring key, a stray neighbouring key, a swapped pair, a dropped or
doubled letter, and å/ä/ö lost or wrongly added.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from importlib import resources

import wordfreq

from services.spell_checker.spelling.keyboard import neighbours

Pair = tuple[str, str]  # (misspelling, correction)
SEED = 2026
_LOWER = re.compile(r"[a-z]+")
_SWEDISH_WORD = re.compile(r"[a-zåäöé]+")


def codespell_lines() -> list[Pair]:
    path = resources.files("codespell_lib") / "data" / "dictionary.txt"
    found: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        wrong, _, right = line.partition("->")
        right = right.strip().rstrip(",").strip()
        if "," in right or not _LOWER.fullmatch(wrong) or not _LOWER.fullmatch(right):
            continue
        found.append((wrong, right))
    return found


def english_pairs(
    is_word: Callable[[str], bool], size: int = 2000, split: str = "test"
) -> list[Pair]:
    """A fixed sample of codespell's pairs; "dev" is a disjoint sample for tuning."""
    eligible = [(w, r) for w, r in codespell_lines() if is_word(r) and not is_word(w)]
    return _split(eligible, size, split)


def _split(eligible: list[Pair], size: int, split: str) -> list[Pair]:
    shuffled = sorted(eligible)
    random.Random(SEED).shuffle(shuffled)
    if split == "test":
        return shuffled[:size]
    return shuffled[size : 2 * size]


def swedish_typo(word: str, rng: random.Random, near: dict[str, list[str]]) -> str:
    i = rng.randrange(len(word))
    letter = word[i]
    kind = rng.choice(("neighbour", "neighbour", "stray", "swap", "drop", "double", "diacritic"))
    if kind == "neighbour" and near.get(letter):
        return word[:i] + rng.choice(near[letter]) + word[i + 1 :]
    if kind == "stray" and near.get(letter):
        return word[:i] + letter + rng.choice(near[letter]) + word[i + 1 :]
    if kind == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + letter + word[i:]
    if kind == "diacritic":
        # Lost diacritics (a keyboard without å ä ö) and wrongly added ones, both ways.
        swaps = {"å": "a", "ä": "a", "ö": "o", "a": rng.choice("åä"), "o": "ö"}
        spots = [j for j, c in enumerate(word) if c in swaps]
        if spots:
            j = rng.choice(spots)
            return word[:j] + swaps[word[j]] + word[j + 1 :]
    return word[:i] + word[i + 1 :]  # the drawn edit did not apply here: drop the letter


def swedish_pairs(
    is_word: Callable[[str], bool], size: int = 2000, split: str = "test", top: int = 20000
) -> list[Pair]:
    """Typos of frequent Swedish words: one edit (70 %) or two; none is itself a word."""
    rng = random.Random(SEED if split == "test" else SEED + 1)
    near = {key: sorted(keys) for key, keys in neighbours("sv").items()}
    sources = [
        w for w in wordfreq.top_n_list("sv", top) if len(w) >= 4 and _SWEDISH_WORD.fullmatch(w)
    ]
    pairs: list[Pair] = []
    seen: set[str] = set()
    while len(pairs) < size:
        word = rng.choice(sources)
        typo = swedish_typo(word, rng, near)
        if rng.random() < 0.3:
            typo = swedish_typo(typo, rng, near)
        if typo != word and typo not in seen and not is_word(typo):
            seen.add(typo)
            pairs.append((typo, word))
    return pairs
