"""Many human judges at once on one large assessment, over real HTTP.

    pdm run python -m bench.cj.judges [--essays 1000] [--judges 50] [--verdicts 3000]
                                      [--think-ms 0] [--url URL]

Starts cj_assessment on a fresh database (bench/harness.py) unless --url is given, creates a
human-judged assessment of `--essays` essays, and lets `--judges` simulated judges work
concurrently: each asks for its next pair, answers it by Bradley-Terry on hidden abilities
(after `--think-ms`, 0 = at once: a stress test), and asks again, until `--verdicts`
verdicts were recorded or the assessment says there is nothing more to judge. Prints the
next-pair and verdict latencies (p50, p99, max) and checks what must never happen: a pair
handed to two judges, a pair of essays handed twice to one judge, a verdict lost or counted
twice (the assessment's comparison count against the verdicts that got a 201).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import numpy as np


@dataclass
class Tally:
    next_pair_ms: list[float] = field(default_factory=list)
    verdict_ms: list[float] = field(default_factory=list)
    recorded: int = 0
    handed: dict[str, str] = field(default_factory=dict)  # pair id -> judge
    seen: Counter[tuple[str, frozenset[str]]] = field(default_factory=Counter)
    shared: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def _judge(
    client: httpx.AsyncClient,
    assessment: str,
    judge: str,
    ability: dict[str, float],
    tally: Tally,
    limit: int,
    think: float,
    rng: np.random.Generator,
) -> None:
    while tally.recorded < limit:
        started = time.perf_counter()
        asked = await client.get(
            f"/v1/assessments/{assessment}/next-pair", params={"judge_id": judge}
        )
        tally.next_pair_ms.append((time.perf_counter() - started) * 1000)
        tally.statuses[asked.status_code] += 1
        if asked.status_code == 204:
            return
        if asked.status_code == 409:  # finished meanwhile
            return
        asked.raise_for_status()
        pair = asked.json()
        pair_id = pair["pair_id"]
        a, b = pair["essay_a"]["essay_id"], pair["essay_b"]["essay_id"]
        holder = tally.handed.setdefault(pair_id, judge)
        if holder != judge:
            tally.shared += 1
        tally.seen[(judge, frozenset((a, b)))] += 1
        if think:
            await asyncio.sleep(think * rng.random() * 2)
        p_a = 1 / (1 + np.exp(-(ability[a] - ability[b])))
        verdict = {
            "pair_id": pair_id,
            "judge_id": judge,
            "winner": "a" if rng.random() < p_a else "b",
        }
        started = time.perf_counter()
        sent = await client.post(f"/v1/assessments/{assessment}/judgements", json=verdict)
        tally.verdict_ms.append((time.perf_counter() - started) * 1000)
        tally.statuses[sent.status_code] += 1
        if sent.status_code == 201:
            tally.recorded += 1
        elif sent.status_code == 409:
            return
        else:
            sent.raise_for_status()


async def run(url: str, essays: int, judges: int, verdicts: int, think_ms: float) -> None:
    rng = np.random.default_rng(1)
    truth = rng.normal(0, 2.0, essays)
    ids = [f"essay-{k}" for k in range(essays)]
    ability = dict(zip(ids, truth.tolist(), strict=True))
    limits = httpx.Limits(max_connections=judges + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120.0, limits=limits) as client:
        created = await client.post(
            "/v1/assessments",
            json={
                "essays": [{"essay_id": e, "text": f"Essay {e}."} for e in ids],
                "judge": "human",
                "min_comparisons_per_essay": 5,
                "max_comparisons_per_essay": 10,
                "target_reliability": 0.8,
            },
        )
        created.raise_for_status()
        assessment = created.json()["assessment_id"]
        tally = Tally()
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _judge(
                    client,
                    assessment,
                    f"judge-{k}",
                    ability,
                    tally,
                    verdicts,
                    think_ms / 1000,
                    np.random.default_rng(100 + k),
                )
                for k in range(judges)
            )
        )
        seconds = time.perf_counter() - started
        final = (await client.get(f"/v1/assessments/{assessment}")).json()
    twice = sum(1 for count in tally.seen.values() if count > 1)
    print(
        f"{essays} essays, {judges} judges, think {think_ms:g} ms: {tally.recorded} verdicts "
        f"in {seconds:.1f} s ({tally.recorded / seconds:.1f}/s), status {final['status']}"
    )
    for name, values in (("next pair", tally.next_pair_ms), ("verdict", tally.verdict_ms)):
        print(
            f"  {name:>9}: p50 {statistics.median(values):7.1f} ms  "
            f"p99 {_percentile(values, 99):7.1f} ms  max {max(values):7.1f} ms  "
            f"({len(values)} requests)"
        )
    print(f"  statuses: {dict(sorted(tally.statuses.items()))}")
    print(
        f"  pair handed to two judges: {tally.shared}; same essays twice to one judge: {twice}; "
        f"verdicts recorded {tally.recorded}, assessment counts {final['comparisons']} "
        f"({'ok' if final['comparisons'] == tally.recorded else 'MISMATCH'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cj.judges")
    parser.add_argument("--essays", type=int, default=1000)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--verdicts", type=int, default=3000)
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.url:
        asyncio.run(
            run(args.url.rstrip("/"), args.essays, args.judges, args.verdicts, args.think_ms)
        )
        return
    from bench.harness import service_under_test

    with service_under_test("cj_assessment") as service:
        asyncio.run(run(service.url, args.essays, args.judges, args.verdicts, args.think_ms))


if __name__ == "__main__":
    main()
