"""Simulated comparative judgement: hidden true abilities, judges who follow Bradley-Terry.

Each run draws true abilities ~ Normal(0, sd), then plays rounds of n/2 pairs (about one
comparison per essay per round), either chosen by our adaptive pairing or at random (a
random perfect matching each round, so exposure stays even as ours does). After every
round it refits and records the true reliability (squared correlation of the estimates
with the truth), the Spearman correlation, the reliability the method reports and SSR.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from services.cj_assessment.method import Estimate, Judgement, choose_pairs, estimate


@dataclass
class RoundFigures:
    per_essay: float
    true_reliability: float
    spearman: float
    reported: float | None
    ssr: float | None


@dataclass
class Run:
    rounds: list[RoundFigures] = field(default_factory=list)
    round_ms: list[float] = field(default_factory=list)  # pairing + refit, adaptive only

    def first_reaching(self, target: float) -> float | None:
        for figures in self.rounds:
            if figures.true_reliability >= target:
                return figures.per_essay
        return None

    def at(self, per_essay: float) -> RoundFigures:
        return min(self.rounds, key=lambda r: abs(r.per_essay - per_essay))


def _ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)).astype(np.float64)


def compare_with_truth(truth: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """(squared Pearson correlation, Spearman correlation) of the estimates with the truth."""
    pearson = float(np.corrcoef(scores, truth)[0, 1])
    spearman = float(np.corrcoef(_ranks(scores), _ranks(truth))[0, 1])
    return pearson**2, spearman


def scores_in_order(result: Estimate, essay_ids: list[str]) -> np.ndarray:
    by_id = {ranked.essay_id: ranked.score for ranked in result.ranking}
    return np.array([by_id[e] for e in essay_ids])


def simulate(
    n: int, sd: float, max_per_essay: int, adaptive: bool, seed: int, judges: int = 5
) -> Run:
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, sd, n)
    essay_ids = [f"essay-{k}" for k in range(n)]
    index = {e: k for k, e in enumerate(essay_ids)}
    judgements: list[Judgement] = []
    current: Estimate | None = None
    run = Run()
    for round_number in range(max_per_essay):
        started = time.perf_counter()
        if adaptive:
            pairs = choose_pairs(
                essay_ids, judgements, current, n // 2, seed=seed * 1000 + round_number
            )
        else:
            order = rng.permutation(n)
            pairs = [(essay_ids[order[2 * k]], essay_ids[order[2 * k + 1]]) for k in range(n // 2)]
        # The judges answer between pairing and refit; their time is not the method's.
        paused = time.perf_counter()
        for number, (a, b) in enumerate(pairs):
            p_a = 1.0 / (1.0 + np.exp(-(truth[index[a]] - truth[index[b]])))
            winner = a if rng.random() < p_a else b
            judgements.append(Judgement(a, b, winner, f"judge-{number % judges}"))
        resumed = time.perf_counter()
        current = estimate(essay_ids, judgements, previous=current)
        if adaptive:
            run.round_ms.append((paused - started + time.perf_counter() - resumed) * 1000)
        reliability, spearman = compare_with_truth(truth, scores_in_order(current, essay_ids))
        run.rounds.append(
            RoundFigures(
                per_essay=2 * len(judgements) / n,
                true_reliability=reliability,
                spearman=spearman,
                reported=current.reliability,
                ssr=current.ssr,
            )
        )
    return run
