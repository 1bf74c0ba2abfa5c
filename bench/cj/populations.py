"""Imperfect judges (issue 15): is the scale still good, and is the figure shown honest?

    PYTHONPATH=libs:. python -m bench.cj.populations [--sizes 30,100] [--runs 40,20]
                                                    [--stopping-runs 20,10]

Five judges take turns, round by round as in bench/cj/simulation.py (n/2 pairs per round,
our adaptive pairing, refit after every round) up to 10 comparisons per essay; true abilities
Normal(0, SD 2). Populations, each adding to the one before:

- `mixed`: the judges' discrimination is 0.7, 0.85, 1.0, 1.15, 1.3 (P(A wins) =
  sigmoid(a_j (theta_A - theta_B))), and 2 % of answers are careless (a coin toss);
- `+position`: every judge also favours the essay shown first by 0.5 logit;
- `+erratic`: the fifth judge answers at random (a coin toss every time).

At 10 per essay: Spearman with the truth, the true reliability (squared correlation), the
reported reliability minus the true one, and where the erratic judge ranks by fit (1 = the
worst infit). Then the stopping rule as the service runs it (bench/cj/stopping.py: one pair
at a time, a check after every judgement, min 5 per essay, target 0.8): true reliability at
the stop and reported - true there. Runs one after another (the machine is shared).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import dataclasses
import functools
import statistics
import time
from dataclasses import dataclass

import numpy as np

from bench.cj.simulation import compare_with_truth, scores_in_order
from services.cj_assessment.method import (
    Estimate,
    Judgement,
    Settings,
    choose_pairs,
    confirmation_window,
    estimate,
    stop_reason,
)

SD = 2.0
PER_ESSAY = 10
JUDGES = 5


@dataclass(frozen=True)
class Population:
    name: str
    discrimination: tuple[float, ...] = (0.7, 0.85, 1.0, 1.15, 1.3)
    lapse: float = 0.02
    first_shown_bias: float = 0.0
    erratic: int | None = None  # index of the judge who answers at random

    def answer(self, judge: int, margin: float, rng: np.random.Generator) -> bool:
        """Whether the essay shown first (A) wins; margin = theta_A - theta_B."""
        if judge == self.erratic or rng.random() < self.lapse:
            return bool(rng.random() < 0.5)
        logit = self.discrimination[judge] * margin + self.first_shown_bias
        return bool(rng.random() < 1.0 / (1.0 + np.exp(-logit)))


POPULATIONS = [
    Population("ideal", discrimination=(1.0,) * JUDGES, lapse=0.0),
    Population("mixed"),
    Population("+position", first_shown_bias=0.5),
    Population("+erratic", first_shown_bias=0.5, erratic=JUDGES - 1),
]


@dataclass(frozen=True)
class AtTen:
    spearman: float
    true_reliability: float
    reported: float
    erratic_rank: int | None  # 1 = worst fit of the five
    round_ms: float
    erratic_flagged: bool  # misfit or degenerate in the report
    others_flagged: int  # judges who follow the model, flagged all the same


def fit(ids: list[str], judgements: list[Judgement], previous: Estimate | None) -> Estimate:
    """As the service fits a human assessment (runs/progress.py): judges whose answers carry
    no information (`degenerate`) are left out of the fit until a teacher decides."""
    found = estimate(ids, judgements, previous=previous)
    left_out = {j.judge_id for j in found.judges if j.degenerate}
    if not left_out:
        return found
    kept = [j for j in judgements if j.judge_id not in left_out]
    refitted = estimate(ids, kept, previous=previous)
    reports = sorted(
        [*refitted.judges, *(j for j in found.judges if j.degenerate)], key=lambda j: j.judge_id
    )
    return dataclasses.replace(refitted, judges=reports)


def _judge_id(k: int) -> str:
    return f"judge-{k}"


def erratic_rank(result: Estimate, erratic: int | None) -> int | None:
    if erratic is None:
        return None
    misfit = {j.judge_id: (j.infit if j.infit is not None else 0.0) for j in result.judges}
    ordered = sorted(misfit, key=lambda k: -misfit[k])
    return ordered.index(_judge_id(erratic)) + 1


def rounds(population: Population, n: int, seed: int) -> AtTen:
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, SD, n)
    ids = [f"e{k}" for k in range(n)]
    judgements: list[Judgement] = []
    current: Estimate | None = None
    turn = 0
    spent = 0.0
    for round_number in range(PER_ESSAY):
        started = time.perf_counter()
        pairs = choose_pairs(ids, judgements, current, n // 2, seed=seed * 1000 + round_number)
        spent += time.perf_counter() - started
        for a, b in pairs:
            judge = turn % JUDGES
            turn += 1
            a_won = population.answer(judge, truth[int(a[1:])] - truth[int(b[1:])], rng)
            judgements.append(Judgement(a, b, a if a_won else b, _judge_id(judge)))
        started = time.perf_counter()
        current = fit(ids, judgements, current)
        spent += time.perf_counter() - started
    assert current is not None
    true_reliability, spearman = compare_with_truth(truth, scores_in_order(current, ids))
    flagged = {j.judge_id for j in current.judges if j.misfit or j.degenerate}
    erratic = None if population.erratic is None else _judge_id(population.erratic)
    return AtTen(
        spearman,
        true_reliability,
        current.reliability or 0.0,
        erratic_rank(current, population.erratic),
        spent * 1000 / PER_ESSAY,
        erratic in flagged,
        len(flagged - {erratic}),
    )


STOP_SETTINGS = Settings(min_comparisons_per_essay=5, max_comparisons_per_essay=20)
STOP_CAP = 16


@dataclass(frozen=True)
class Stop:
    per_essay: float
    true_reliability: float
    reported: float


def _held(earlier: float | None) -> float | None:
    return earlier


def stopped(population: Population, n: int, seed: int) -> Stop | None:
    """The service's confirmed stopping rule, a check after every judgement."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, SD, n)
    ids = [f"e{k}" for k in range(n)]
    judgements: list[Judgement] = []
    readings: list[float | None] = []
    exposure = dict.fromkeys(ids, 0)
    current: Estimate | None = None
    window = confirmation_window(n)
    for step in range(STOP_CAP * n // 2):
        pairs = choose_pairs(
            ids, judgements, current, 1, seed=seed * 100_000 + step, max_comparisons_per_essay=20
        )
        if not pairs:
            return None
        a, b = pairs[0]
        judge = step % JUDGES
        a_won = population.answer(judge, truth[int(a[1:])] - truth[int(b[1:])], rng)
        judgements.append(Judgement(a, b, a if a_won else b, _judge_id(judge)))
        exposure[a] += 1
        exposure[b] += 1
        current = fit(ids, judgements, current)
        readings.append(current.reliability)
        earlier = readings[-1 - window] if len(readings) > window else None
        if (
            stop_reason(current, STOP_SETTINGS, exposure, True, functools.partial(_held, earlier))
            == "reliable"
        ):
            true_now, _ = compare_with_truth(truth, scores_in_order(current, ids))
            return Stop(2 * len(judgements) / n, true_now, current.reliability or 0.0)
    return None


def _se(values: list[float]) -> float:
    return statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cj.populations")
    parser.add_argument("--sizes", default="30,100")
    parser.add_argument("--runs", default="40,20")
    parser.add_argument("--stopping-runs", default="20,10")
    parser.add_argument("--populations", default=",".join(p.name for p in POPULATIONS))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = dict(zip(sizes, (int(r) for r in args.runs.split(",")), strict=True))
    stop_runs = dict(zip(sizes, (int(r) for r in args.stopping_runs.split(",")), strict=True))
    chosen = [p for p in POPULATIONS if p.name in args.populations.split(",")]
    print(
        "| essays | population | runs | Spearman @10 | true rel @10 | reported - true (± SE) "
        "| mean abs(reported - true) | erratic worst | erratic flagged | others flagged "
        "| round ms |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    for n in sizes:
        for population in chosen:
            results = [rounds(population, n, seed) for seed in range(runs[n])]
            gaps = [r.reported - r.true_reliability for r in results]
            ranks = [r.erratic_rank for r in results if r.erratic_rank is not None]
            worst = f"{sum(1 for r in ranks if r == 1)}/{len(ranks)}" if ranks else "—"
            flagged = f"{sum(r.erratic_flagged for r in results)}/{len(results)}" if ranks else "—"
            others = sum(r.others_flagged for r in results)
            print(
                f"| {n} | {population.name} | {len(results)} "
                f"| {statistics.fmean(r.spearman for r in results):.3f} "
                f"| {statistics.fmean(r.true_reliability for r in results):.3f} "
                f"| {statistics.fmean(gaps):+.3f} ± {_se(gaps):.3f} "
                f"| {statistics.fmean(abs(g) for g in gaps):.3f} | {worst} | {flagged} "
                f"| {others} of {len(results) * (JUDGES - len(ranks) // len(results))} "
                f"| {statistics.median(r.round_ms for r in results):.1f} |",
                flush=True,
            )
    if not any(stop_runs.values()):
        return
    print(
        "\n| essays | population | runs | per essay at stop | true rel at stop "
        "| reported - true (± SE) | never stopped |\n|---|---|---|---|---|---|---|"
    )
    for n in sizes:
        for population in chosen:
            stops = [stopped(population, n, seed) for seed in range(stop_runs[n])]
            found = [s for s in stops if s is not None]
            gaps = [s.reported - s.true_reliability for s in found]
            print(
                f"| {n} | {population.name} | {len(stops)} "
                f"| {statistics.fmean(s.per_essay for s in found):.2f} "
                f"| {statistics.fmean(s.true_reliability for s in found):.3f} "
                f"| {statistics.fmean(gaps):+.3f} ± {_se(gaps):.3f} | {len(stops) - len(found)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
