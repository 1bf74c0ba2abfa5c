"""`POST /v1/check` of a 500-word essay over HTTP: the service as a hypercorn process with
one worker, requests one at a time from this process, the median and p99 of 200 each.

    pdm run python -m bench.spell.http
"""

from __future__ import annotations

import statistics
import time

import httpx

from bench.harness import service_under_test
from bench.spell.essay import essay

REQUESTS = 200


def timings(url: str, language: str) -> tuple[float, float, int]:
    body = {"text": essay(language), "language": language}
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(20):  # warm-up: connections, first-use caches
            client.post("/v1/check", json=body).raise_for_status()
        spent = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            answer = client.post("/v1/check", json=body)
            spent.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
    spent.sort()
    return statistics.median(spent), spent[int(0.99 * len(spent)) - 1], answer.json()["word_count"]


def main() -> None:
    with service_under_test("spell_checker", env={"SPELL_CHECKER_LOG_LEVEL": "WARNING"}) as svc:
        print(f"POST /v1/check, one hypercorn worker, {REQUESTS} sequential requests")
        for language in ("en", "sv"):
            p50, p99, words = timings(svc.url, language)
            verdict = "met" if p50 < 20 else "NOT met"
            print(
                f"  {language}: {words} words  p50 {p50:.1f} ms  p99 {p99:.1f} ms  "
                f"(target p50 < 20 ms: {verdict})"
            )


if __name__ == "__main__":
    main()
