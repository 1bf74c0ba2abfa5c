"""cj_assessment quality and speed: how few comparisons reach a reliable, honest scale.

    pdm run python -m bench.cj [--in-process | --http URL] [--reps 20] [--sizes 30,100,300]
                               [--http-sizes 30,100] [--http-reps 1]

--in-process: the simulator against the method's facade (services/cj_assessment/method/):
  for 30/100/300 essays and true SD 2 and 1 logits, our pairing vs random pairing:
  comparisons per essay to reach true reliability 0.8 (where the mean over the runs reaches
  it, and the median run with the runs that never did), and at 10 comparisons per essay the
  true reliability, Spearman with the truth, the reported reliability and raw SSR; the
  pairing + refit time per round (n/2 pairs) at 300 essays; pass/fail of each target.
  Then the stopping rule with a check after every judgement (bench/cj/stopping.py): where
  it stops and how true the reliability it stops on is, against a first-crossing rule.
--http URL: simulated human judges drive a running service's API (assessment created,
  next-pair / judgements until 204, ranking compared with the truth).
default: the in-process tables, then the HTTP run against a service started for the bench
  (bench/harness.py) when the service can be started.
"""

from __future__ import annotations

import os

# One BLAS thread: the fits are small (300 x 300), and on a shared machine OpenBLAS's
# thread pool spins against the other processes and makes them 20-50 times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import statistics
from collections.abc import Sequence

from bench.cj.http_driver import HttpFigures, drive
from bench.cj.simulation import Run, simulate
from bench.cj.stopping import stopping

MAX_PER_ESSAY = 30
AT = 10.0
TARGET = 0.8


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _reach(runs: list[Run]) -> tuple[float | None, int]:
    """Median comparisons per essay to reach the target over all runs, and how many never did.

    A run that never reaches the target counts as needing more than any run that did, so the
    median stays defined (None when half or more never reach it); a mean over only the runs
    that reached it would favour the pairing that fails more often on the hard draws.
    """
    reached = [r.first_reaching(TARGET) for r in runs]
    missed = sum(1 for r in reached if r is None)
    ordered = sorted(r for r in reached if r is not None) + [None] * missed
    middle = len(ordered) // 2
    low, high = ordered[(len(ordered) - 1) // 2], ordered[middle]
    if low is None or high is None:
        return None, missed
    return (low + high) / 2, missed


def _crossing(runs: list[Run]) -> float | None:
    """Comparisons per essay at which the mean true reliability over the runs reaches the
    target, interpolated between rounds: the same true reliability for both pairings."""
    curve = [
        (
            statistics.fmean(r.rounds[k].per_essay for r in runs),
            statistics.fmean(r.rounds[k].true_reliability for r in runs),
        )
        for k in range(min(len(r.rounds) for r in runs))
    ]
    for (x0, y0), (x1, y1) in zip([(0.0, 0.0), *curve], curve, strict=False):
        if y1 >= TARGET:
            return x0 + (x1 - x0) * (TARGET - y0) / (y1 - y0) if y1 > y0 else x1
    return None


def runs_for(n: int, reps: int) -> int:
    """More runs for small assessments: over 30 essays (SD 1) one run's reported - true gap
    varies with an SD of 0.13 from draw to draw (the true reliability is a squared
    correlation over 30 points), so the mean of 20 runs ranged from -0.05 to +0.05 between
    blocks of seeds while the mean over 100 was +0.003."""
    return max(reps, reps * 100 // n)


def in_process(sizes: list[int], reps: int) -> None:
    counts = ", ".join(f"{runs_for(n, reps)} at {n} essays" for n in sizes)
    print(f"## in-process, runs: {counts}; rounds of n/2 pairs, up to {MAX_PER_ESSAY}/essay\n")
    print(
        "| essays | SD | pairing | per essay to true 0.8: mean curve | median run (never) "
        "| true rel @10 | Spearman @10 | reported @10 | reported - true | SSR @10 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    results: dict[tuple[int, float, str], list[Run]] = {}
    for n in sizes:
        for sd in (2.0, 1.0):
            for label, adaptive in (("ours", True), ("random", False)):
                runs = [
                    simulate(n, sd, MAX_PER_ESSAY, adaptive, seed)
                    for seed in range(runs_for(n, reps))
                ]
                results[(n, sd, label)] = runs
                reach, missed = _reach(runs)
                at = [r.at(AT) for r in runs]
                true = _mean([f.true_reliability for f in at])
                reported = _mean([f.reported for f in at])
                gap = None if true is None or reported is None else reported - true
                reach_text = _fmt(reach, 1) + (f" ({missed} never)" if missed else "")
                print(
                    f"| {n} | {sd:g} | {label} | {_fmt(_crossing(runs), 1)} | {reach_text} "
                    f"| {_fmt(true)} "
                    f"| {_fmt(_mean([f.spearman for f in at]))} | {_fmt(reported)} "
                    f"| {_fmt(gap, 3)} | {_fmt(_mean([f.ssr for f in at]))} |"
                )
    _targets(results, sizes)


def _targets(results: dict[tuple[int, float, str], list[Run]], sizes: list[int]) -> None:
    print("\n## targets\n")
    checks: list[tuple[str, bool, str]] = []
    if 100 in sizes:
        at = [r.at(AT) for r in results[(100, 2.0, "ours")]]
        true = statistics.fmean(f.true_reliability for f in at)
        rho = statistics.fmean(f.spearman for f in at)
        checks.append(
            ("true reliability >= 0.83 (100 essays, SD 2, 10/essay)", true >= 0.83, f"{true:.3f}")
        )
        checks.append(("Spearman >= 0.90 (same)", rho >= 0.90, f"{rho:.3f}"))
    for (n, sd, label), runs in results.items():
        if label != "ours":
            continue
        ours = _crossing(runs)
        theirs = _crossing(results[(n, sd, "random")])
        if ours is not None and theirs is not None:
            checks.append(
                (
                    f"fewer comparisons than random to mean true 0.8 ({n}, SD {sd:g})",
                    ours < theirs,
                    f"{ours:.1f} vs {theirs:.1f}",
                )
            )
        signed = [
            f.reported - f.true_reliability
            for f in (r.at(AT) for r in runs)
            if f.reported is not None
        ]
        mean_gap = abs(statistics.fmean(signed)) if signed else None
        spread = statistics.stdev(signed) / len(signed) ** 0.5 if len(signed) > 1 else None
        checks.append(
            (
                f"reported within 0.05 of true at 10/essay ({n}, SD {sd:g})",
                mean_gap is not None and mean_gap <= 0.05,
                f"mean gap {_fmt(mean_gap)} (SE {_fmt(spread)}, {len(signed)} runs), "
                f"worst run {_fmt(max(map(abs, signed), default=None))}",
            )
        )
    largest = max(sizes)
    timings = [ms for run in results[(largest, 2.0, "ours")] for ms in run.round_ms]
    median = statistics.median(timings)
    p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
    checks.append(
        (
            f"pairing + refit < 100 ms per round ({largest} essays)",
            largest >= 300 and median < 100,
            f"median {median:.1f} ms, p95 {p95:.1f} ms",
        )
    )
    print("| target | result | figure |\n|---|---|---|")
    for name, passed, figure in checks:
        print(f"| {name} | {'PASS' if passed else 'FAIL'} | {figure} |")


def over_http(url: str, sizes: list[int], reps: int) -> None:
    print(f"\n## over HTTP ({url}): human judges, min 5, max 10 per essay, target 0.8\n")
    print("| essays | SD | comparisons | status | true rel | Spearman | reported | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        for seed in range(reps):
            figures: HttpFigures = drive(url, n, 2.0, seed)
            print(
                f"| {n} | 2 | {figures.comparisons} | {figures.status} "
                f"| {figures.true_reliability:.3f} | {figures.spearman:.3f} "
                f"| {_fmt(figures.reported)} | {figures.seconds:.1f} |"
            )


def with_started_service(sizes: list[int], reps: int) -> None:
    try:
        from bench.harness import service_under_test

        with service_under_test("cj_assessment") as service:
            over_http(service.url, sizes, reps)
    except Exception as error:  # the bench reports what it could not run, then goes on
        print(f"\n(the HTTP run could not start the service: {error!r})")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cj")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--in-process", action="store_true", help="the facade only, no service")
    mode.add_argument("--http", metavar="URL", help="drive a running service's API")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--sizes", default="30,100,300")
    parser.add_argument("--stop-sizes", default="30,100", help="sizes for the stopping runs")
    parser.add_argument("--http-sizes", default="30,100")
    parser.add_argument("--http-reps", type=int, default=1, help="runs per size over HTTP")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    http_sizes = [int(s) for s in args.http_sizes.split(",")]
    if args.http:
        over_http(args.http.rstrip("/"), http_sizes, args.http_reps)
        return
    in_process(sizes, args.reps)
    stopping([int(s) for s in args.stop_sizes.split(",")], lambda n: runs_for(n, args.reps))
    if not args.in_process:
        with_started_service(http_sizes, args.http_reps)


if __name__ == "__main__":
    main()
