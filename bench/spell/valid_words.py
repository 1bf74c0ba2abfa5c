"""Valid word forms flagged as errors: a sample of an independent word list, before and after
the affix dictionary.

Word lists: Debian's `wamerican` (/usr/share/dict/american-english) and `wswedish`
(/usr/share/dict/swedish), installed with apt-get; neither is the source of our lexicons'
frequencies. Words with capitals, digits or apostrophes are left out (names, abbreviations),
and so are words under three letters. "frequency only" is the lexicon without morphology.
Prints one table; exits quietly if a word list is missing.

    python -m bench.spell.valid_words [--sample 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from services.spell_checker.spelling.checking import checker_for

LISTS = {"en": Path("/usr/share/dict/american-english"), "sv": Path("/usr/share/dict/swedish")}


def sample(path: Path, size: int, seed: int) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    words = sorted({w for w in text.split() if len(w) >= 3 and w.isalpha() and w == w.lower()})
    return random.Random(seed).sample(words, min(size, len(words)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| language | words | flagged, frequency only | flagged, with affix dictionary |")
    print("|---|---|---|---|")
    for language, path in LISTS.items():
        if not path.exists():
            print(f"| {language} | word list {path} missing | | |")
            continue
        words = sample(path, args.sample, args.seed)
        checker = checker_for(language)
        frequency_only = sum(w not in checker.lexicon for w in words)
        flagged = [w for w in words if not checker.knows(w)]
        print(
            f"| {language} | {len(words)} | {100 * frequency_only / len(words):.1f} % "
            f"| {100 * len(flagged) / len(words):.1f} % |"
        )
        print(f"<!-- {language} still flagged, first 15: {' '.join(flagged[:15])} -->")


if __name__ == "__main__":
    main()
