"""Confidence before rewriting: how the threshold trades typos fixed against correct words
rewritten, on dev sets (for tuning) and on a held-out split (for reporting).

Every set is split in two by a stable hash of its item (or by the pair lists' own dev/test
splits), never tuned on one set alone:

- typos, English: codespell's list of common misspellings (pairs.english_pairs) and keyboard
  typos of frequent English words (US QWERTY, the same slips as the Swedish ones);
- typos, Swedish: keyboard typos of frequent Swedish words (pairs.swedish_pairs);
- correct words, English: Debian's wamerican and wbritish, Swedish: wswedish (lowercase,
  letters only, 3+ letters); the engine flags a few per cent of them, and each of those is
  rewritten only if the rule lets it be.

For each threshold: of the typos, the share rewritten and the share of those rewritten right;
of the correct words, the share rewritten (the harm the rule is for).

    python -m bench.spell.confidence [--split dev|test] [--size 1500]
"""

from __future__ import annotations

import argparse
import hashlib
import random
from pathlib import Path

import wordfreq

from bench.spell import pairs
from services.spell_checker.spelling import checking
from services.spell_checker.spelling.checking import Assessment, SpellChecker, checker_for
from services.spell_checker.spelling.keyboard import neighbours

WORD_LISTS = {
    "en": (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english")),
    "sv": (Path("/usr/share/dict/swedish"),),
}
# (confidence, most cost) pairs tried; (inf, inf) stands for "no confidence rule".
RULES = (
    (0.0, 9.0),
    (1.0, 9.0),
    (1.5, 9.0),
    (2.0, 9.0),
    (3.0, 9.0),
    (1.0, 1.2),
    (1.5, 1.0),
    (1.5, 1.2),
    (1.5, 1.5),
    (2.0, 1.2),
)


def in_split(item: str, split: str) -> bool:
    """A stable half of any set: dev or test by the item's hash."""
    odd = hashlib.blake2b(item.encode(), digest_size=2).digest()[0] & 1
    return bool(odd) == (split == "test")


def valid_words(language: str, split: str) -> list[str]:
    found: set[str] = set()
    for path in WORD_LISTS[language]:
        if path.exists():
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(w for w in text.split() if len(w) >= 3 and w.isalpha() and w == w.lower())
    return sorted(w for w in found if in_split(w, split))


def english_keyboard_pairs(is_word: object, size: int, split: str) -> list[pairs.Pair]:
    """Keyboard typos of frequent English words (one edit, 30 % two), none itself a word."""
    rng = random.Random(pairs.SEED + (0 if split == "test" else 1) + 100)
    near = {key: sorted(keys) for key, keys in neighbours("en").items()}
    sources = [w for w in wordfreq.top_n_list("en", 20000) if len(w) >= 4 and w.isalpha()]
    found: list[pairs.Pair] = []
    seen: set[str] = set()
    while len(found) < size:
        word = rng.choice(sources)
        typo = pairs.swedish_typo(word, rng, near)
        if rng.random() < 0.3:
            typo = pairs.swedish_typo(typo, rng, near)
        if typo != word and typo not in seen and typo.isascii() and not is_word(typo):  # type: ignore[operator]
            seen.add(typo)
            found.append((typo, word))
    return found


def typo_outcomes(checker: SpellChecker, sample: list[pairs.Pair]) -> list[tuple[Assessment, bool]]:
    """(assessment, best candidate right) for every typo."""
    outcomes = []
    for wrong, right in sample:
        found = checker.assess(wrong)
        outcomes.append((found, found.candidates[:1] == (right,)))
    return outcomes


def passes(found: Assessment, confidence: float, cost: float) -> bool:
    return bool(found.candidates) and found.confidence >= confidence and found.cost <= cost


def report(language: str, split: str, size: int) -> None:
    checker = checker_for(language)
    typo_sets: dict[str, list[pairs.Pair]] = {}
    if language == "en":
        typo_sets["codespell"] = pairs.english_pairs(checker.knows, size, split)
        typo_sets["keyboard"] = english_keyboard_pairs(checker.knows, size, split)
    else:
        typo_sets["keyboard"] = pairs.swedish_pairs(checker.knows, size, split)
    words = valid_words(language, split)
    sample = random.Random(1).sample(words, min(len(words), 20 * size)) if words else []
    flagged = [w for w in sample if not checker.knows(w)]
    valid = [checker.assess(w) for w in flagged]
    outcomes = {name: typo_outcomes(checker, s) for name, s in typo_sets.items()}
    print(f"\n#### {language}, {split} split\n")
    print(
        f"Correct words: {len(sample)} from Debian's lists, {len(flagged)} flagged "
        f"({100 * len(flagged) / max(len(sample), 1):.1f} %).\n"
    )
    header = ["confidence ≥", "cost ≤"]
    for name, s in typo_sets.items():
        header += [f"{name} typos ({len(s)}) rewritten %", "right among them %"]
    header += ["correct words rewritten (of all sampled) %", "of the flagged %"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for confidence, cost in RULES:
        chosen = (confidence, cost) == (checking.CONFIDENCE, checking.REWRITE_COST)
        row = [
            f"{confidence:g}" + (" (chosen)" if chosen else ""),
            "any" if cost > 5 else f"{cost:g}",
        ]
        for name in typo_sets:
            done = [right for c, right in outcomes[name] if passes(c, confidence, cost)]
            row.append(f"{100 * len(done) / len(outcomes[name]):.1f}")
            row.append(f"{100 * sum(done) / max(len(done), 1):.1f}")
        rewritten = sum(1 for c in valid if passes(c, confidence, cost))
        row.append(f"{100 * rewritten / max(len(sample), 1):.2f}")
        row.append(f"{100 * rewritten / max(len(flagged), 1):.0f}")
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--size", type=int, default=1500)
    parser.add_argument("--languages", default="en,sv")
    args = parser.parse_args()
    for language in args.languages.split(","):
        report(language, args.split, args.size)


if __name__ == "__main__":
    main()
