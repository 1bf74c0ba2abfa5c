"""Where the service stops, and how true the reliability it stops on is.

The service checks its stopping rule after every human judgement. This drives the method
that way (one pair chosen, answered and refitted at a time, as at `next-pair`) and applies
`method.stop_reason` twice over the same runs: as the service does (the reading must also
have held before the latest `confirmation_window` judgements) and as a first crossing (the
earlier reading taken as held). For each rule: comparisons per essay at the stop, the true
reliability there and the reported minus the true.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pool

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

SETTINGS = Settings(min_comparisons_per_essay=5, max_comparisons_per_essay=20)
CAP_PER_ESSAY = 16  # the simulation ends here; a run that has not stopped by then is "never"


@dataclass(frozen=True)
class Stop:
    per_essay: float
    true_reliability: float
    reported: float


def _reliable(current: Estimate, exposure: dict[str, int], earlier: float | None) -> bool:
    """The service's rule, given the reading before the latest judgements (1.0 makes it a
    first-crossing rule: the earlier reading taken as held)."""
    return stop_reason(current, SETTINGS, exposure, True, lambda: earlier) == "reliable"


def _run(args: tuple[int, float, int]) -> tuple[Stop | None, Stop | None]:
    """(first crossing, confirmed) stops of one simulated human-judged assessment."""
    n, sd, seed = args
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, sd, n)
    ids = [f"e{k}" for k in range(n)]
    judgements: list[Judgement] = []
    readings: list[float | None] = []
    exposure = dict.fromkeys(ids, 0)
    current = None
    first: Stop | None = None
    window = confirmation_window(n)
    for step in range(CAP_PER_ESSAY * n // 2):
        pairs = choose_pairs(
            ids, judgements, current, 1, seed=seed * 100_000 + step, max_comparisons_per_essay=20
        )
        if not pairs:
            break
        a, b = pairs[0]
        i, j = int(a[1:]), int(b[1:])
        won = a if rng.random() < 1 / (1 + np.exp(truth[j] - truth[i])) else b
        judgements.append(Judgement(a, b, won, "judge"))
        exposure[a] += 1
        exposure[b] += 1
        current = estimate(ids, judgements, previous=current)
        readings.append(current.reliability)
        true_now, _ = compare_with_truth(truth, scores_in_order(current, ids))
        at_stop = Stop(2 * len(judgements) / n, true_now, current.reliability or 0.0)
        if first is None and _reliable(current, exposure, 1.0):
            first = at_stop
        earlier = readings[-1 - window] if len(readings) > window else None
        if _reliable(current, exposure, earlier):
            return first, at_stop
    return first, None


def _row(n: int, sd: float, rule: str, stops: list[Stop | None]) -> str:
    found = [s for s in stops if s is not None]
    never = len(stops) - len(found)
    gaps = [s.reported - s.true_reliability for s in found]
    se = statistics.stdev(gaps) / len(gaps) ** 0.5 if len(gaps) > 1 else float("nan")
    per_essay = statistics.mean(s.per_essay for s in found)
    return (
        f"| {n} | {sd:g} | {rule} | {len(stops)} | {per_essay:.2f} "
        f"| {statistics.mean(s.true_reliability for s in found):.3f} "
        f"| {statistics.mean(gaps):+.3f} ± {se:.3f} | {never} |"
    )


def stopping(sizes: list[int], runs: Callable[[int], int]) -> None:
    print(
        "\n## stopping: a check after every judgement, min 5 per essay, target 0.8, SD 2\n\n"
        "| essays | SD | rule | runs | per essay at stop | true rel at stop "
        "| reported - true (± SE) | never stopped by 16/essay |\n|---|---|---|---|---|---|---|---|"
    )
    with Pool(2) as pool:
        for n in sizes:
            results = pool.map(_run, [(n, 2.0, seed) for seed in range(runs(n))])
            print(_row(n, 2.0, "first crossing", [first for first, _ in results]), flush=True)
            print(_row(n, 2.0, "confirmed (service)", [c for _, c in results]), flush=True)
