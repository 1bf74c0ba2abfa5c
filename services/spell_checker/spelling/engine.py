"""Candidate generation and ranking for one language.

Ranking is a noisy channel: score = log10 P(word) - EDIT_WEIGHT * cost(typo | word), with the
cost from `alignment`. Candidates come in two tiers of one symmetric-delete index kept as
hashes in numpy arrays (`delete_index`), both read by one lookup:

1. Near: every word filed under itself and its one-letter deletes; the typo looked up under
   itself and its one-letter deletes finds every word one edit away (and a few two away).
2. Far: every word filed under the deletes of up to two letters of its first PREFIX letters,
   as SymSpell does; it finds words up to two edits away. A word two edits away must be
   frequent enough to beat what the near tier found: words are numbered most frequent
   first, so the rest are dropped by number, and the search is skipped when not even the
   language's commonest word could win.

Candidates are aligned only while they can still beat the results so far (each with the
budget its frequency affords). In the far tier, lower bounds of the cost are computed for
all candidates at once (length difference, letters one word lacks, the size of the
differing middle), candidates are aligned best bound first, and the search stops once no
bound can beat the results so far.
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import heapq
import math

import numpy as np

from services.spell_checker.spelling import keyboard
from services.spell_checker.spelling.alignment import ErrorModel, trim
from services.spell_checker.spelling.delete_index import DeleteIndex, deletes, deletes_up_to_two
from services.spell_checker.spelling.dictionaries import Lexicon

# How many log10 units of word frequency one edit is worth (tuned on the dev split).
EDIT_WEIGHT = 6.0
# Candidates costlier than this are not offered at all.
MAX_COST = 3.0
# Alternatives scoring this far (log10 units) below the best are not offered.
CANDIDATE_MARGIN = 1.5 * EDIT_WEIGHT
# The far tier files words under the deletes (up to two) of their first PREFIX letters.
PREFIX = 7
# Letters kept per word for comparing starts and ends in bulk.
WIDTH = 24
# See _search_far: differing middles this long on both sides are taken for 3 edits (tuned).
MIDDLE = 3
# Far candidates fewer than this are aligned one by one rather than bounded in bulk first.
FEW = 6
# Swedish compounds: the shortest part and the least log10 frequency of each part.
COMPOUND_PART = 3
COMPOUND_FLOOR = -6.0
# Slack (in edits) for rounding when a cost is compared with what a word can afford.
TIE = 1e-9
# Letter counts are kept for this many columns: the commonest letters, then all others.
LETTER_COLUMNS = 32


class _Best:
    """The `limit` best (score, word) pairs so far, and the score a newcomer must beat."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.heap: list[tuple[float, str]] = []
        self.top = -math.inf

    def offer(self, score: float, word: str) -> None:
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, (score, word))
        elif (score, word) > self.heap[0]:
            heapq.heapreplace(self.heap, (score, word))
        self.top = max(self.top, score)

    def floor(self) -> float:
        full = self.heap[0][0] if len(self.heap) == self.limit else -math.inf
        return max(full, self.top - CANDIDATE_MARGIN)

    def scored(self) -> list[tuple[str, float]]:
        floor = self.top - CANDIDATE_MARGIN
        return [(word, score) for score, word in sorted(self.heap, reverse=True) if score >= floor]


class Corrector:
    """Suggests dictionary words for a misspelling of one language."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.model = ErrorModel(lexicon.language)
        # Words are numbered most frequent first: "at least this frequent" is then "numbered
        # below this", found without reading the frequencies of the candidates.
        frequencies = lexicon.log_frequencies
        words = sorted(frequencies, key=lambda word: (-frequencies[word], word))
        self._words = words
        self._log_frequencies = [frequencies[word] for word in words]
        self._rarity = [-frequency for frequency in self._log_frequencies]  # ascending
        self._index = DeleteIndex(words, PREFIX)
        self._lengths = np.fromiter(map(len, words), dtype=np.int16, count=len(words))
        self._frequency_array = np.array(self._log_frequencies, dtype=np.float64)
        # The words' first and last WIDTH letters as code point rows (2 bytes a letter), so
        # the shared start and end with a typo can be measured for all candidates at once.
        self._heads = _code_rows(words)
        self._tails = _code_rows([word[::-1] for word in words])
        # How often each of the commonest letters occurs in each word (the rest share a column).
        self._column = _letter_columns(words)
        self._counts = _letter_counts(self._heads, self._column)
        _return_freed_memory()

    @property
    def index_bytes(self) -> int:
        arrays = (self._lengths, self._counts, self._heads, self._tails, self._frequency_array)
        return self._index.nbytes + sum(a.nbytes for a in arrays)

    def knows(self, word: str) -> bool:
        """Whether lowercase `word` is correct: a dictionary word, a possessive, a compound."""
        known = self.lexicon.log_frequencies
        if word in known:
            return True
        if word.endswith("'s") and word[:-2] in known:
            return True
        return self.lexicon.language == "sv" and self.compound(word) is not None

    def compound(self, word: str, parts: int = 3) -> tuple[str, str] | None:
        """Split a Swedish compound into a known head and tail (fotbollsplan -> fotbolls,
        plan); the head may itself be a compound, up to `parts` parts in all.

        Every part must be reasonably common and at least three letters long: rare or short
        parts would let typos through as "compounds" (hudn -> hu + dn).
        """
        known = self.lexicon.log_frequencies
        for split in range(len(word) - COMPOUND_PART, COMPOUND_PART - 1, -1):
            head, tail = word[:split], word[split:]
            if known.get(tail, -99.0) < COMPOUND_FLOOR:
                continue
            # The linking s of Swedish compounds: fotboll-s-plan.
            stems = (
                (head, head[:-1]) if head.endswith("s") and len(head) > COMPOUND_PART else (head,)
            )
            for stem in stems:
                if known.get(stem, -99.0) >= COMPOUND_FLOOR or (
                    parts > 2 and self.compound(stem, parts - 1) is not None
                ):
                    return head, tail
        return None

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        """Best corrections for lowercase `word`, best first; [word] if it is a known word."""
        if self.knows(word):
            return [word]
        return [candidate for candidate, _ in self.scored(word, limit)]

    def scored(self, word: str, limit: int = 5) -> list[tuple[str, float]]:
        """Best corrections for unknown lowercase `word` with their scores (log10 units:
        log10 frequency - EDIT_WEIGHT x cost), best first."""
        stray = self.model.stray_costs(word)
        best = _Best(limit)
        near, far = self._index.lookup([word, *deletes(word)], deletes_up_to_two(word[:PREFIX]))
        # Most frequent first, so that the bar rises early and rarer words need no alignment.
        for number in near:
            self._consider(word, number, stray, best)
        # A word two edits away must be frequent enough to beat what is found: often only the
        # few frequent words can, and often none at all.
        frequent_enough = bisect.bisect_right(
            self._rarity, -(best.floor() + EDIT_WEIGHT * 2 * self.model.cheapest)
        )
        if frequent_enough and len(word) < WIDTH:
            self._search_far(word, far[far < frequent_enough], set(near), stray, best)
        return best.scored()

    def cost_of(self, candidate: str, score: float) -> float:
        """The weighted edit cost behind `candidate`'s `score` (from `scored`)."""
        return (self.lexicon.log_frequencies[candidate] - score) / EDIT_WEIGHT

    def _consider(self, word: str, number: int, stray: list[float], best: _Best) -> None:
        """Align word `number` with the typo and offer it, unless it cannot reach the bar."""
        log_frequency = self._log_frequencies[number]
        # Offers scoring below the floor change nothing, and a word other than the typo is
        # at least one edit (of at least `cheapest`) away. TIE lets a word tying with the
        # floor through despite rounding, so that ties are settled by the word, not by order.
        budget = min(MAX_COST, (log_frequency - best.floor()) / EDIT_WEIGHT + TIE)
        if budget < self.model.cheapest:
            return
        candidate = self._words[number]
        cost = self.model.align(word, candidate, *trim(word, candidate), stray, budget)
        if cost <= budget:
            best.offer(log_frequency - EDIT_WEIGHT * cost, candidate)

    def _search_far(
        self, word: str, far: np.ndarray, near: set[int], stray: list[float], best: _Best
    ) -> None:
        """Align far candidates (frequent enough to win) best lower bound first, while a
        bound can still win."""
        n = len(word)
        found = sorted(set(far[np.abs(self._lengths[far] - n) <= 2].tolist()) - near)
        if len(found) <= FEW:
            # Too few to be worth bounding in bulk: align them all, budget permitting.
            for number in found:
                self._consider(word, number, stray, best)
            return
        ids = np.array(found, dtype=np.int64)
        lengths = self._lengths[ids]
        shorter = np.minimum(lengths, n)
        # Shared starts and ends: the first mismatch in each row (the sentinel ensures one).
        start = np.minimum((self._heads[ids] != _typo_row(word)).argmax(axis=1), shorter)
        end = np.minimum(
            (self._tails[ids] != _typo_row(word[::-1])).argmax(axis=1), shorter - start
        )
        # Lower bounds of the cost: at least `gaps` insertions or deletions; at least one edit
        # for each letter one word has more of than the other; and not being a near
        # candidate, at least two edits.
        columns = [self._column.get(letter, LETTER_COLUMNS - 1) for letter in word]
        surplus = self._counts[ids] - np.bincount(columns, minlength=LETTER_COLUMNS)
        # The larger of the two sides' surpluses: (|surplus| summed + |difference|) / 2.
        unshared = (np.abs(surplus).sum(axis=1) + np.abs(surplus.sum(axis=1))) // 2
        if n + 2 >= WIDTH:
            unshared[lengths >= WIDTH] = 0  # their counts stop at WIDTH letters: no bound
        gaps = np.abs(lengths - n)
        # Differing middles of MIDDLE letters or more on both sides usually take three edits
        # or more. Not a strict bound (two far-apart slips also leave a long middle), but it
        # only reorders and prunes the search: it cost no accuracy on the dev split and
        # saves a fifth of the time on Swedish.
        middle = np.minimum(n - start - end, lengths - start - end)
        edits = np.maximum(np.maximum(unshared, np.where(middle >= MIDDLE, 3, 2)) - gaps, 0)
        least = gaps * keyboard.CHEAPEST_GAP + edits * self.model.cheapest
        hopes = self._frequency_array[ids] - EDIT_WEIGHT * least
        order = np.argsort(-hopes, kind="stable")
        for hope, number, first, shared_end in zip(
            hopes[order].tolist(),
            ids[order].tolist(),
            start[order].tolist(),
            end[order].tolist(),
            strict=True,
        ):
            floor = best.floor()
            if hope < floor:
                break
            candidate = self._words[number]
            log_frequency = self._log_frequencies[number]
            budget = min(MAX_COST, (log_frequency - floor) / EDIT_WEIGHT + TIE)
            last_typo, last_word = n - shared_end, len(candidate) - shared_end
            cost = self.model.align(word, candidate, first, last_typo, last_word, stray, budget)
            if cost <= budget:
                best.offer(log_frequency - EDIT_WEIGHT * cost, candidate)

    def candidates(self, word: str) -> set[str]:
        """Dictionary words the index would consider for `word` (unverified)."""
        near, far_ids = self._index.lookup([word, *deletes(word)], deletes_up_to_two(word[:PREFIX]))
        far = far_ids.tolist()
        words = self._words
        found = {words[i] for i in far if abs(len(words[i]) - len(word)) <= 2}
        return found | {words[i] for i in near}


def _letter_columns(words: list[str]) -> dict[str, int]:
    """A column for each of the commonest letters of the lexicon; the last is shared."""
    counts: dict[str, int] = {}
    for word in words:
        for letter in word:
            counts[letter] = counts.get(letter, 0) + 1
    common = sorted(counts, key=counts.__getitem__, reverse=True)[: LETTER_COLUMNS - 1]
    return {letter: column for column, letter in enumerate(common)}


def _letter_counts(rows: np.ndarray, columns: dict[str, int]) -> np.ndarray:
    """Letter counts per word from its code point rows (the first WIDTH letters)."""
    table = np.full(0x10000, LETTER_COLUMNS - 1, dtype=np.int64)
    for letter, column in columns.items():
        if ord(letter) < 0xFFFD:
            table[ord(letter)] = column
    table[0] = LETTER_COLUMNS  # padding: counted in a column that is then dropped
    cells = table[rows[:, :WIDTH]] + (LETTER_COLUMNS + 1) * np.arange(len(rows))[:, None]
    counts = np.bincount(cells.ravel(), minlength=len(rows) * (LETTER_COLUMNS + 1))
    return counts.reshape(len(rows), LETTER_COLUMNS + 1)[:, :LETTER_COLUMNS].astype(np.int16)


def _code_rows(words: list[str]) -> np.ndarray:
    """The first WIDTH code points of each word, zero-padded, capped at 0xFFFD (a cap can
    only make two letters look alike, which weakens a bound but never makes it wrong), and
    a sentinel column that never matches a typo's."""
    codes = np.array(words, dtype=f"<U{WIDTH}").view(np.uint32).reshape(len(words), WIDTH)
    rows = np.full((len(words), WIDTH + 1), 0xFFFF, dtype=np.uint16)
    rows[:, :WIDTH] = np.minimum(codes, 0xFFFD)
    return rows


def _typo_row(word: str) -> np.ndarray:
    row = np.zeros(WIDTH + 1, dtype=np.uint16)
    row[WIDTH] = 0xFFFE
    codes = [min(ord(letter), 0xFFFD) for letter in word[:WIDTH]]
    row[: len(codes)] = codes
    return row


def _return_freed_memory() -> None:
    """Hand the heap's free pages back to the system (glibc only; elsewhere a no-op).

    Building the index frees large temporaries in blocks glibc keeps in the process's heap;
    without this about 70 MiB of free memory (both languages) stays counted in its RSS.
    """
    library = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(library), "malloc_trim", None) if library else None
    if trim is not None:
        trim(0)
