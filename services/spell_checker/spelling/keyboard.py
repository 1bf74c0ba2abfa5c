"""How likely one letter is typed or misremembered for another: the error model's costs.

Costs are in "edits": 1.0 is an arbitrary letter typed for another. Slips of the finger on a
QWERTY keyboard, a missing or doubled letter, a swapped pair and a lost diacritic (a for å,
o for ö: a keyboard without Swedish keys) are all cheaper, because writers make them more
often than random edits.
"""

from __future__ import annotations

from collections.abc import Iterable

_ROWS: dict[str, tuple[str, ...]] = {
    "en": ("qwertyuiop", "asdfghjkl", "zxcvbnm"),
    # Swedish QWERTY: å right of p, ö and ä right of l.
    "sv": ("qwertyuiopå", "asdfghjklöä", "zxcvbnm"),
}
# Letters that stand in for each other when diacritics are lost or confused.
_DIACRITIC_PAIRS = ("aå", "aä", "åä", "oö", "eé", "eè", "uü", "eä")
_VOWELS = {"en": "aeiouy", "sv": "aeiouyåäö"}

# Tuned on the benchmark's dev split (a sample disjoint from the reported one).
NEIGHBOUR_COST = 0.6
DIACRITIC_COST = 0.35
VOWEL_COST = 0.75
TRANSPOSE_COST = 0.45
DOUBLED_COST = 0.45
STRAY_NEIGHBOUR_COST = 0.75
STRAY_COST = 1.0
MISSING_COST = 0.6
# The cheapest extra or missing letter: lower bounds of alignment costs are built from it.
CHEAPEST_GAP = min(DOUBLED_COST, MISSING_COST, STRAY_NEIGHBOUR_COST, STRAY_COST)


def neighbours(language: str) -> dict[str, set[str]]:
    """Keys touching each key on the language's keyboard (rows are staggered to the right)."""
    rows = _ROWS[language]
    touching: dict[str, set[str]] = {}
    for r, row in enumerate(rows):
        for c, key in enumerate(row):
            near = {row[c - 1]} if c > 0 else set()
            if c + 1 < len(row):
                near.add(row[c + 1])
            if r > 0:
                near.update(rows[r - 1][i] for i in (c, c + 1) if i < len(rows[r - 1]))
            if r + 1 < len(rows):
                near.update(rows[r + 1][i] for i in (c - 1, c) if 0 <= i < len(rows[r + 1]))
            touching[key] = near
    return touching


def substitution_costs(language: str) -> dict[tuple[str, str], float]:
    """Cost of typing the first letter where the second was meant; pairs not listed cost 1."""
    costs: dict[tuple[str, str], float] = {}

    def put(pairs: Iterable[tuple[str, str]], cost: float) -> None:
        for a, b in pairs:
            for key in ((a, b), (b, a)):
                costs[key] = min(costs.get(key, 1.0), cost)

    vowels = _VOWELS[language]
    put(((a, b) for a in vowels for b in vowels if a != b), VOWEL_COST)
    put(
        ((key, near) for key, nears in neighbours(language).items() for near in nears),
        NEIGHBOUR_COST,
    )
    if language == "sv":
        put(((pair[0], pair[1]) for pair in _DIACRITIC_PAIRS), DIACRITIC_COST)
    return costs
