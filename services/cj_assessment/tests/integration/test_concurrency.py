"""Many judges at once, over real HTTP, against two service processes sharing one database:
never the same pair to two judges, never a pair of essays twice to one judge, and one
effect for a verdict sent many times at once."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx

from service_kit.postgres_server import free_port
from service_kit.testing.processes import ServiceProcess, migrate, service_environment
from services.cj_assessment.tests.integration.helpers import FAST_ENV, essays, fetch

JUDGES = [f"judge-{k}" for k in range(10)]


@contextlib.contextmanager
def stopped_on_exit(*processes: ServiceProcess) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.stop()


async def test_concurrent_judges_on_two_instances_never_share_a_pair(make_database, tmp_path):
    database_url = await make_database("cj_concurrency")
    env = service_environment("cj_assessment", database_url, **FAST_ENV)
    await asyncio.to_thread(migrate, "cj_assessment", env)
    one = ServiceProcess("cj_assessment", free_port(), env, tmp_path / "one.log")
    two = ServiceProcess("cj_assessment", free_port(), env, tmp_path / "two.log")
    with stopped_on_exit(one, two):
        await asyncio.gather(asyncio.to_thread(one.start), asyncio.to_thread(two.start))
        instances = [one.url, two.url]
        async with httpx.AsyncClient(timeout=20) as client:
            body = {
                "essays": essays(30),
                "judge": "human",
                "min_comparisons_per_essay": 3,
                "max_comparisons_per_essay": 10,
            }
            created = await client.post(f"{one.url}/v1/assessments", json=body)
            assert created.status_code == 201, created.text
            aid = created.json()["assessment_id"]

            async def ask(k: int, judge: str) -> dict[str, object]:
                url = f"{instances[k % 2]}/v1/assessments/{aid}/next-pair"
                response = await client.get(url, params={"judge_id": judge})
                assert response.status_code == 200, response.text
                return dict(response.json())

            seen: dict[str, set[frozenset[str]]] = {judge: set() for judge in JUDGES}
            for _ in range(3):
                pairs = await asyncio.gather(*(ask(k, j) for k, j in enumerate(JUDGES)))
                ids = [p["pair_id"] for p in pairs]
                essay_pairs = [
                    frozenset((p["essay_a"]["essay_id"], p["essay_b"]["essay_id"]))  # type: ignore[index]
                    for p in pairs
                ]
                assert len(set(ids)) == 10  # ten judges, ten different pairs
                assert len(set(essay_pairs)) == 10  # and ten different pairs of essays
                for judge, pair in zip(JUDGES, essay_pairs, strict=True):
                    assert pair not in seen[judge]  # nobody sees the same two essays twice
                    seen[judge].add(pair)

                # every judge answers, the same verdict sent three times at once, to both
                async def answer(k: int, judge: str, pair_id: object) -> list[int]:
                    verdict = {"pair_id": pair_id, "judge_id": judge, "winner": "a"}
                    sent = await asyncio.gather(
                        *(
                            client.post(
                                f"{instances[(k + r) % 2]}/v1/assessments/{aid}/judgements",
                                json=verdict,
                            )
                            for r in range(3)
                        )
                    )
                    return sorted(s.status_code for s in sent)

                codes = await asyncio.gather(
                    *(answer(k, j, p) for k, (j, p) in enumerate(zip(JUDGES, ids, strict=True)))
                )
                assert all(c == [200, 200, 201] for c in codes), codes

            final = (await client.get(f"{two.url}/v1/assessments/{aid}")).json()

    assert final["comparisons"] == 30
    rows = await fetch(
        database_url,
        "SELECT judge_id, pair_key, status::text AS status FROM comparisons"
        " WHERE assessment_id = $1",
        uuid.UUID(aid),
    )
    assert len(rows) == 30 and {r["status"] for r in rows} == {"answered"}
    assert max(Counter((r["judge_id"], r["pair_key"]) for r in rows).values()) == 1
