"""Drive the real cj_assessment API as simulated human judges.

Judges take turns asking for a pair and answer it by Bradley-Terry on hidden true abilities,
until every judge is told (204) that no more judgements are needed; then the assessment's
ranking is compared with the truth.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import numpy as np

from bench.cj.simulation import compare_with_truth


@dataclass
class HttpFigures:
    essays: int
    comparisons: int
    status: str
    true_reliability: float
    spearman: float
    reported: float | None
    seconds: float


def drive(
    url: str,
    n: int,
    sd: float,
    seed: int,
    *,
    judges: int = 4,
    min_per_essay: int = 5,
    max_per_essay: int = 10,
    target: float = 0.8,
) -> HttpFigures:
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, sd, n)
    essay_ids = [f"essay-{seed}-{k}" for k in range(n)]
    ability = dict(zip(essay_ids, truth, strict=True))
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=30.0) as client:
        created = client.post(
            "/v1/assessments",
            json={
                "essays": [
                    {"essay_id": e, "text": f"Essay {e}: simulated text."} for e in essay_ids
                ],
                "judge": "human",
                "max_comparisons_per_essay": max_per_essay,
                "min_comparisons_per_essay": min_per_essay,
                "target_reliability": target,
            },
        )
        created.raise_for_status()
        assessment = created.json()["assessment_id"]
        comparisons = 0
        finished: set[int] = set()
        while len(finished) < judges:
            for judge in range(judges):
                if judge in finished:
                    continue
                offered = client.get(
                    f"/v1/assessments/{assessment}/next-pair", params={"judge_id": f"j{judge}"}
                )
                if offered.status_code == 204:
                    finished.add(judge)
                    continue
                offered.raise_for_status()
                pair = offered.json()
                a, b = pair["essay_a"]["essay_id"], pair["essay_b"]["essay_id"]
                p_a = 1.0 / (1.0 + np.exp(-(ability[a] - ability[b])))
                answered = client.post(
                    f"/v1/assessments/{assessment}/judgements",
                    json={
                        "pair_id": pair["pair_id"],
                        "judge_id": f"j{judge}",
                        "winner": "a" if rng.random() < p_a else "b",
                    },
                )
                answered.raise_for_status()
                comparisons += 1
        result = client.get(f"/v1/assessments/{assessment}").json()
    scores = {row["essay_id"]: row["score"] for row in result["ranking"]}
    reliability, spearman = compare_with_truth(truth, np.array([scores[e] for e in essay_ids]))
    return HttpFigures(
        essays=n,
        comparisons=comparisons,
        status=str(result.get("status")),
        true_reliability=reliability,
        spearman=spearman,
        reported=result.get("reliability"),
        seconds=time.perf_counter() - started,
    )
