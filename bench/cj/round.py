"""One CJ round at scale: estimate + pairing for 1,000 / 10,000 / 100,000 essays.

    pdm run python -m bench.cj.round [--sizes 1000,10000,100000] [--reps 5]

The design is random, 10 comparisons per essay, true abilities N(0, 2^2) and judges who
follow the Bradley-Terry model; a round is what the service does each time: `estimate`
(without a previous estimate, as the service calls it) and `choose_pairs` for n/2 pairs,
plus `choose_pairs` for one pair (a human judge asking for the next pair). Each size runs
in its own process, so the peak memory printed (max RSS) is that size's. At 1,000 essays
the dense path (the one used below scale.SPARSE_FROM essays) is timed too, for the ratio.
Goals (issue 16): a round <= 100 ms / <= 1 s / <= 20 s.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

from services.cj_assessment import method
from services.cj_assessment.method import Judgement, scale

GOALS = {1_000: 0.1, 10_000: 1.0, 100_000: 20.0}


def judgements(n: int, per_essay: int = 10, seed: int = 1) -> tuple[list[str], list[Judgement]]:
    rng = np.random.default_rng(seed)
    truth = rng.normal(0, 2.0, n)
    ids = [f"e{k}" for k in range(n)]
    a = np.concatenate([rng.permutation(n) for _ in range(per_essay)])
    b = np.concatenate([rng.permutation(n) for _ in range(per_essay)])
    keep = a != b
    a, b = a[keep][: n * per_essay // 2], b[keep][: n * per_essay // 2]
    a_won = rng.random(len(a)) < 1 / (1 + np.exp(truth[b] - truth[a]))
    out = [
        Judgement(ids[i], ids[j], ids[i] if won else ids[j], f"judge{k % 50}")
        for k, (i, j, won) in enumerate(zip(a.tolist(), b.tolist(), a_won.tolist(), strict=True))
    ]
    return ids, out


def one_size(n: int, reps: int, dense: bool) -> dict[str, object]:
    ids, data = judgements(n)
    if dense:
        scale.SPARSE_FROM = 10**9
    estimate_s, pairs_s, one_s = [], [], []
    reliability = None
    for rep in range(reps):
        started = time.perf_counter()
        current = method.estimate(ids, data)
        estimate_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        method.choose_pairs(ids, data, current, n // 2, seed=rep, max_comparisons_per_essay=30)
        pairs_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        method.choose_pairs(ids, data, current, 1, seed=rep, judge_id="judge1")
        one_s.append(time.perf_counter() - started)
        reliability = current.reliability
    return {
        "n": n,
        "path": "dense" if dense else ("sparse" if n >= scale.SPARSE_FROM else "dense"),
        "estimate": statistics.median(estimate_s),
        "pairs": statistics.median(pairs_s),
        "one_pair": statistics.median(one_s),
        "round": statistics.median(e + p for e, p in zip(estimate_s, pairs_s, strict=True)),
        "reliability": reliability,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "reps": reps,
    }


def se_accuracy(n: int) -> dict[str, float]:
    """The estimated SEs (used above sparse.EXACT_VARIANCES essays) against exact ones."""
    ids, data = judgements(n, seed=2)
    position = {e: k for k, e in enumerate(ids)}
    winners = np.array([position[j.winner] for j in data], dtype=np.int64)
    losers = np.array(
        [position[j.essay_b if j.winner == j.essay_a else j.essay_a] for j in data],
        dtype=np.int64,
    )
    exact = scale.fit(n, winners, losers, ridge=0.25, use_sparse=True, exact_se=True)
    estimated = scale.fit(n, winners, losers, ridge=0.25, use_sparse=True, exact_se=False)
    relative = estimated.se / exact.se - 1
    return {
        "n": n,
        "sd": float(np.std(relative)),
        "max": float(np.max(np.abs(relative))),
        "mean_square": float(np.mean(estimated.se**2) / np.mean(exact.se**2) - 1),
    }


def _run(n: int, reps: int, dense: bool) -> dict[str, object]:
    command = [sys.executable, "-m", "bench.cj.round", "--one", str(n), "--reps", str(reps)]
    if dense:
        command.append("--dense")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--one", type=int)
    parser.add_argument("--dense", action="store_true")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.reps, args.dense)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for n in sizes:
        reps = max(1, args.reps if n <= 10_000 else 1)
        if n <= 2_000:
            rows.append(_run(n, reps, dense=True))
        rows.append(_run(n, reps, dense=False))
    print("CJ round, random design, 10 comparisons per essay (medians; one process per row)")
    print(
        f"{'essays':>8} {'path':>6} {'estimate':>9} {'n/2 pairs':>10} {'round':>8} "
        f"{'goal':>6} {'1 pair':>8} {'peak MiB':>9} {'reliab.':>8} {'reps':>4}"
    )
    for row in rows:
        n = int(str(row["n"]))
        goal = GOALS.get(n)
        round_s = float(str(row["round"]))
        verdict = "" if goal is None else ("ok" if round_s <= goal else "MISS")
        print(
            f"{n:>8} {row['path']!s:>6} {float(str(row['estimate'])):>8.3f}s "
            f"{float(str(row['pairs'])):>9.3f}s {round_s:>7.3f}s "
            f"{'' if goal is None else f'{goal:g}s':>6} {float(str(row['one_pair'])):>7.3f}s "
            f"{float(str(row['peak_mib'])):>9.0f} {float(str(row['reliability'])):>8.3f} "
            f"{row['reps']!s:>4} {verdict}"
        )
    print()
    print("Estimated SEs (above 1,000 essays) against exact ones, ridge 0.25")
    for n in (2_000, 5_000):
        figures = se_accuracy(n)
        print(
            f"{n:>8} essays: SE relative error SD {figures['sd']:.2%}, max {figures['max']:.2%}; "
            f"mean SE^2 {figures['mean_square']:+.3%}"
        )


if __name__ == "__main__":
    main()
