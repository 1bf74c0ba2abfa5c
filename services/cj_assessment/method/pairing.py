"""Adaptive pairing: which two essays a judge should compare next.

Each pick starts from the least-exposed essay (counting answered comparisons, pairs leased to
judges right now and pairs already picked in this call), so every essay reaches the minimum
exposure first. Its partner is the one whose comparison is expected to teach the most:
the expected Fisher information of the pair, E[p(1 - p)] over the uncertainty in the two
scores, times the uncertainty it can remove (the sum of the two variances). Partners that
have already had many comparisons are penalised, so exposure stays even, and a pair that was
already judged comes back only when the essay has no unjudged partner left. The partner is
drawn from a small random sample of the allowed essays (see CANDIDATES).
The essay shown less often as A (relative to B) is shown as A.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from services.cj_assessment.method.fitting import Estimate, Judgement, index, positions

# How much one extra comparison of a partner weighs against a doubling of information:
# large enough to keep exposure within a comparison or two of even.
EXPOSURE_PENALTY = 1.0
# The partner is the most informative of this many randomly drawn allowed essays, not of all.
# Choosing from everyone pairs almost only essays that look close; such a design says little
# about how far apart the essays are, the estimated spread of abilities comes out low
# (0.74 for a true 0.98 at 300 essays, SD 1 logit) and the reported reliability with it.
# Some randomly far partners keep the spread estimable. In simulation (10 comparisons per
# essay, 40 runs at 30 and 100 essays, 10-20 at 300) 16 candidates gave true reliability
# 0.849 at 100 essays, SD 2 (8: 0.836, all: 0.856), and the reported reliability within
# 0.015 of the true one on average at 30/100/300 essays and SD 1/2 (all: up to 0.03 low).
CANDIDATES = 16


@dataclass(frozen=True)
class PairingState:
    """Counts derived from the judgements so far, indexed like the essays. Memory is
    O(essays + judgements): no n x n table, so it serves a 100,000-essay assessment."""

    exposure: NDArray[np.float64]
    shown_first_balance: NDArray[np.int64]  # times shown as A minus times shown as B
    partner_start: NDArray[np.int64]  # essay k's judged partners (with repeats) are
    partners: NDArray[np.int64]  # partners[partner_start[k]:partner_start[k + 1]]
    banned: dict[int, set[int]]  # pairs that must not be handed out (both directions)


def pairing_state(
    n: int,
    a_index: NDArray[np.int64],
    b_index: NDArray[np.int64],
    busy: Sequence[tuple[int, int]],
    judge_pairs: Sequence[tuple[int, int]],
) -> PairingState:
    exposure = np.bincount(a_index, minlength=n) + np.bincount(b_index, minlength=n)
    balance = np.bincount(a_index, minlength=n) - np.bincount(b_index, minlength=n)
    own = np.concatenate([a_index, b_index]).astype(np.int64)
    other = np.concatenate([b_index, a_index]).astype(np.int64)
    order = np.argsort(own, kind="stable")
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(own, minlength=n), out=start[1:])
    banned: dict[int, set[int]] = {}
    for i, j in (*busy, *judge_pairs):
        if i != j:
            banned.setdefault(i, set()).add(j)
            banned.setdefault(j, set()).add(i)
    for i, j in busy:
        exposure[i] += 1
        exposure[j] += 1
    return PairingState(
        exposure.astype(np.float64), balance.astype(np.int64), start, other[order], banned
    )


def expected_information(
    scores: NDArray[np.float64],
    variances: NDArray[np.float64],
    focus: int,
    others: NDArray[np.int64],
) -> NDArray[np.float64]:
    """E[p(1-p)] x (v_i + v_j) for the focus essay against each of `others`.

    p is averaged over the uncertainty in the score difference with the usual probit
    approximation (shrinking the difference by sqrt(1 + pi * v / 8)), so an essay whose
    score is still vague looks closer to everyone than its point estimate suggests.
    """
    variance = variances[focus] + variances[others]
    difference = (scores[focus] - scores[others]) / np.sqrt(1.0 + np.pi * variance / 8.0)
    p = 0.5 * (1.0 + np.tanh(0.5 * difference))
    return np.asarray(p * (1.0 - p) * variance, dtype=np.float64)


class _Picker:
    """The mutable side of one `choose` call: exposure, balance, bans and who is available."""

    def __init__(self, state: PairingState, max_exposure: int | None, rng: np.random.Generator):
        n = len(state.exposure)
        self.n = n
        self.state = state
        self.exposure = state.exposure.copy()
        self.balance = state.shown_first_balance.copy()
        self.banned = {k: set(v) for k, v in state.banned.items()}
        self.max_exposure = max_exposure
        self.rng = rng
        # Random tie-breaks: a tiny jitter that never outweighs a real difference.
        self.jitter = rng.random(n) * 1e-6
        bans = np.zeros(n, dtype=np.int64)
        for k, partners in self.banned.items():
            bans[k] = len(partners)
        self.available = bans < n - 1
        if max_exposure is not None:
            self.available &= self.exposure < max_exposure
        self.queue: list[tuple[float, int]] = [
            (float(self.exposure[k] + self.jitter[k]), int(k))
            for k in np.flatnonzero(self.available)
        ]
        heapq.heapify(self.queue)

    def _refresh(self, k: int) -> None:
        full = len(self.banned.get(k, ())) >= self.n - 1
        capped = self.max_exposure is not None and self.exposure[k] >= self.max_exposure
        self.available[k] = self.available[k] and not full and not capped

    def next_focus(self) -> int | None:
        """The least-exposed available essay."""
        while self.queue:
            key, k = heapq.heappop(self.queue)
            if self.available[k] and key == float(self.exposure[k] + self.jitter[k]):
                return int(k)
        return None

    def requeue(self, k: int) -> None:
        if self.available[k]:
            heapq.heappush(self.queue, (float(self.exposure[k] + self.jitter[k]), k))

    def retire(self, k: int) -> None:
        self.available[k] = False

    def candidates(self, focus: int) -> NDArray[np.int64]:
        """Up to CANDIDATES partners drawn at random from the allowed ones (available, not
        banned with the focus) that repeat a judged pair the fewest times."""
        start, end = self.state.partner_start[focus], self.state.partner_start[focus + 1]
        judged = self.state.partners[start:end]
        banned = self.banned.get(focus, set())
        # Usually most essays were never paired with the focus: draw uniformly and keep the
        # allowed, unjudged ones (a uniform random subset); else look at every essay.
        if self.n - len(banned) - len(judged) > 4 * CANDIDATES:
            excluded = banned.union(judged.tolist(), (focus,))
            found: dict[int, None] = {}
            for _ in range(4):
                for k in self.rng.integers(0, self.n, 4 * CANDIDATES).tolist():
                    if self.available[k] and k not in excluded:
                        found[k] = None
                        if len(found) == CANDIDATES:
                            return np.fromiter(found, dtype=np.int64)
        allowed = self.available.copy()
        allowed[focus] = False
        if banned:
            allowed[list(banned)] = False
        if not allowed.any():
            return np.empty(0, dtype=np.int64)
        repeats = np.bincount(judged, minlength=self.n)
        allowed &= repeats == repeats[allowed].min()
        chosen = np.flatnonzero(allowed)
        if len(chosen) > CANDIDATES:
            chosen = self.rng.choice(chosen, CANDIDATES, replace=False)
        return np.asarray(chosen, dtype=np.int64)

    def take(self, focus: int, partner: int) -> tuple[int, int]:
        first, second = _order(focus, partner, self.balance, self.rng)
        self.banned.setdefault(focus, set()).add(partner)
        self.banned.setdefault(partner, set()).add(focus)
        self.exposure[[focus, partner]] += 1
        self.balance[first] += 1
        self.balance[second] -= 1
        for k in (focus, partner):
            self._refresh(k)
            self.requeue(k)
        return first, second


def choose(
    state: PairingState,
    scores: NDArray[np.float64],
    variances: NDArray[np.float64],
    count: int,
    rng: np.random.Generator,
    max_exposure: int | None = None,
) -> list[tuple[int, int]]:
    """Up to `count` pairs of indexes (A first); fewer when no allowed pair is left."""
    picker = _Picker(state, max_exposure, rng)
    picked: list[tuple[int, int]] = []
    while len(picked) < count:
        focus = picker.next_focus()
        if focus is None:
            break
        others = picker.candidates(focus)
        if len(others) == 0:
            picker.retire(focus)
            continue
        value = np.log(expected_information(scores, variances, focus, others) + 1e-12)
        value -= EXPOSURE_PENALTY * (picker.exposure[others] - picker.exposure[focus])
        value += picker.jitter[others]
        partner = int(others[int(np.argmax(value))])
        picked.append(picker.take(focus, partner))
    return picked


def _order(i: int, j: int, balance: NDArray[np.int64], rng: np.random.Generator) -> tuple[int, int]:
    if balance[i] < balance[j]:
        return i, j
    if balance[j] < balance[i]:
        return j, i
    return (i, j) if rng.random() < 0.5 else (j, i)


def choose_pairs(
    essay_ids: Sequence[str],
    judgements: Sequence[Judgement],
    estimate: Estimate | None,
    count: int,
    *,
    busy: Collection[frozenset[str]] = (),
    judge_id: str | None = None,
    seed: int | None = None,
    max_comparisons_per_essay: int | None = None,
) -> list[tuple[str, str]]:
    """Up to `count` pairs (essay shown as A, essay shown as B), best first.

    `busy`: pairs leased to judges right now, never handed out again while leased.
    With `judge_id`, never a pair that judge already judged (in either order).
    With `max_comparisons_per_essay`, no essay beyond that many (leases included).
    Fewer pairs (or none) when the constraints leave no more.
    """
    position = positions(essay_ids)
    n = len(essay_ids)
    if n < 2 or count <= 0:
        return []
    data = index(position, judgements)
    busy_pairs = []
    for pair in busy:
        members = [position[e] for e in pair if e in position]
        if len(members) == 2:
            busy_pairs.append((members[0], members[1]))
    own = [
        (int(data.a[k]), int(data.b[k]))
        for k, who in enumerate(data.judges)
        if judge_id is not None and who == judge_id
    ]
    state = pairing_state(n, data.a, data.b, busy_pairs, own)
    scores = np.zeros(n)
    variances = np.ones(n)
    if estimate is not None:
        for ranked in estimate.ranking:
            k = position.get(ranked.essay_id)
            if k is not None:
                scores[k] = ranked.score
                variances[k] = ranked.se**2
    rng = np.random.default_rng(seed)
    picked = choose(state, scores, variances, count, rng, max_comparisons_per_essay)
    return [(essay_ids[i], essay_ids[j]) for i, j in picked]
