"""The error model: what it costs, in edits, to have typed `typo` when `word` was meant.

An optimal-string-alignment distance (insertions, deletions, substitutions, swaps of two
neighbouring letters) whose edits are priced by `keyboard`: a neighbouring key, a doubled or
dropped double letter, a lost diacritic or a swap cost less than an arbitrary edit, because
writers make those more often.
"""

from __future__ import annotations

import math

from services.spell_checker.spelling import keyboard


def trim(typo: str, word: str) -> tuple[int, int, int]:
    """Where the shared start ends and the shared ends begin: (first, last_typo, last_word)."""
    n, m = len(typo), len(word)
    first = 0
    while first < n and first < m and typo[first] == word[first]:
        first += 1
    last_typo, last_word = n, m
    while last_typo > first and last_word > first and typo[last_typo - 1] == word[last_word - 1]:
        last_typo -= 1
        last_word -= 1
    return first, last_typo, last_word


class ErrorModel:
    def __init__(self, language: str) -> None:
        self.substitution = keyboard.substitution_costs(language)
        self._neighbours = keyboard.neighbours(language)
        # The cheapest single edit of any kind: lower bounds are built from it.
        self.cheapest = min(
            keyboard.CHEAPEST_GAP, keyboard.TRANSPOSE_COST, *self.substitution.values()
        )
        # The same costs by typed letter, then meant letter: no pair to build in the loop.
        self._typed_for: dict[str, dict[str, float]] = {}
        for (typed, meant), cost in self.substitution.items():
            self._typed_for.setdefault(typed, {})[meant] = cost

    def cost(self, typo: str, word: str, budget: float = math.inf) -> float:
        """The cost of typing `typo` for `word`; above `budget` (possibly inf) when over it."""
        return self.align(typo, word, *trim(typo, word), self.stray_costs(typo), budget)

    def stray_costs(self, typo: str) -> list[float]:
        """For each letter of `typo`, the cost of it being an extra keystroke."""
        costs = []
        padded = f" {typo} "  # a space is nobody's neighbour and no letter's double
        for before, letter, after in zip(padded[:-2], typo, padded[2:], strict=True):
            near = self._neighbours.get(letter, ())
            if letter in (before, after):
                costs.append(keyboard.DOUBLED_COST)  # typed twice
            elif before in near or after in near:
                costs.append(keyboard.STRAY_NEIGHBOUR_COST)  # a finger slipped onto it
            else:
                costs.append(keyboard.STRAY_COST)
        return costs

    def align(
        self,
        typo: str,
        word: str,
        first: int,
        last_typo: int,
        last_word: int,
        stray: list[float],
        budget: float,
    ) -> float:
        """The alignment cost of typo[first:last_typo] against word[first:last_word]."""
        m = len(word)
        substitution = self.substitution
        missing = [
            keyboard.DOUBLED_COST
            if (j and word[j - 1] == word[j]) or (j + 1 < m and word[j + 1] == word[j])
            else keyboard.MISSING_COST
            for j in range(first, last_word)
        ]
        a_core, b_core = typo[first:last_typo], word[first:last_word]
        rows, columns = len(a_core), len(b_core)
        # Most candidates differ by one edit: no table needed for those.
        if not rows:
            return sum(missing)
        if not columns:
            return sum(stray[first:last_typo])
        if rows == 1 and columns == 1:
            return min(substitution.get((a_core, b_core), 1.0), stray[first] + missing[0])
        if rows == 2 and columns == 2 and a_core == b_core[::-1]:
            return keyboard.TRANSPOSE_COST
        transpose = keyboard.TRANSPOSE_COST
        no_costs: dict[str, float] = {}
        # Rows: letters of the typo's core; columns: letters of the word's core. Only two
        # rows back are kept; a row all over budget ends the alignment.
        previous_previous: list[float] = []
        previous = [0.0]
        for j in range(columns):
            previous.append(previous[j] + missing[j])
        before = ""  # the typo's letter in the row above
        for i in range(rows):
            a = a_core[i]
            extra = stray[first + i]
            typed_for = self._typed_for.get(a, no_costs)
            left = previous[0] + extra
            current = [left]
            for j in range(columns):
                b = b_core[j]
                diagonal = previous[j]
                best = diagonal if a == b else diagonal + typed_for.get(b, 1.0)
                if previous[j + 1] + extra < best:
                    best = previous[j + 1] + extra
                if left + missing[j] < best:
                    best = left + missing[j]
                # A swap: this letter and the one before are the word's two, reversed.
                if (
                    b == before
                    and j
                    and a == b_core[j - 1]
                    and a != b
                    and previous_previous[j - 1] + transpose < best
                ):
                    best = previous_previous[j - 1] + transpose
                current.append(best)
                left = best
            if min(current) > budget:
                return math.inf
            previous_previous, previous = previous, current
            before = a
        return previous[columns]
