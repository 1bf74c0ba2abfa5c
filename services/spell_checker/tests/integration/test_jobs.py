"""Job requests on real PostgreSQL: one job per essay text however often and however
concurrently it is asked for, and the retry rules decided under the row's lock.

The workers are off (job_concurrency=0): these tests are about what the requests store.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter

from services.spell_checker.tests.integration.helpers import (
    PROBLEM,
    fast_settings,
    fetch,
    job_body,
    running_app,
)

CONTENT = "c" * 64


async def rows_for(database_url: str, essay_id: str) -> tuple[list, list]:
    jobs = await fetch(
        database_url,
        "SELECT id, run, status::text AS status, callback_url FROM spellcheck_jobs"
        " WHERE essay_id = $1",
        essay_id,
    )
    queued = await fetch(
        database_url,
        "SELECT dedup_key, payload FROM jobs WHERE payload->>'job_id' = ANY($1::text[])"
        " ORDER BY dedup_key",
        [str(j["id"]) for j in jobs],
    )
    return jobs, queued


async def test_the_same_job_posted_twice_and_ten_times_at_once_is_one_job(database_url):
    settings = fast_settings(database_url, job_concurrency=0)
    async with running_app(settings) as app:
        client = app.test_client()
        body = job_body("http://els.test", CONTENT)
        first = await client.post("/v1/jobs", json=body)
        second = await client.post("/v1/jobs", json=body)
        assert (first.status_code, second.status_code) == (202, 202)
        job_id = (await first.get_json())["job_id"]
        assert (await second.get_json())["job_id"] == job_id

        # a new essay, ten requests at once: distinct keys, one shared key, and none
        racing = job_body("http://els.test", CONTENT)
        headers = [{"Idempotency-Key": f"spellcheck:{racing['essay_id']}:{i}"} for i in range(4)]
        headers += [{"Idempotency-Key": "shared-key"}] * 3 + [{}] * 3
        answers = await asyncio.gather(
            *(client.post("/v1/jobs", json=racing, headers=h) for h in headers)
        )
        assert [a.status_code for a in answers] == [202] * 10
        ids = {(await a.get_json())["job_id"] for a in answers}

    assert len(ids) == 1
    for essay, expected_id in ((body["essay_id"], job_id), (racing["essay_id"], ids.pop())):
        jobs, queued = await rows_for(database_url, essay)
        assert [(str(j["id"]), j["run"], j["status"]) for j in jobs] == [(expected_id, 1, "queued")]
        assert [q["dedup_key"] for q in queued] == [f"spellcheck:{expected_id}:run1"]
    answers_kept = await fetch(
        database_url, "SELECT idempotency_key, response FROM processed_requests"
    )
    kept = Counter(r["idempotency_key"] for r in answers_kept)
    assert kept["shared-key"] == 1


async def test_a_failed_job_asked_again_by_many_at_once_runs_again_exactly_once(database_url):
    settings = fast_settings(database_url, job_concurrency=0)
    async with running_app(settings) as app:
        client = app.test_client()
        body = job_body("http://els.test", CONTENT)
        job_id = (await (await client.post("/v1/jobs", json=body)).get_json())["job_id"]
        await fetch(
            database_url,
            "UPDATE spellcheck_jobs SET status = 'failed', reason = 'boom' WHERE id = $1",
            uuid.UUID(job_id),
        )
        retry = {**body, "callback_url": body["callback_url"].replace("attempt=1", "attempt=2")}
        answers = await asyncio.gather(*(client.post("/v1/jobs", json=retry) for _ in range(10)))
        bodies = [await a.get_json() for a in answers]
        read = await (await client.get(f"/v1/jobs/{job_id}")).get_json()

    assert {(b["job_id"], b["run"], b["status"]) for b in bodies} == {(job_id, 2, "queued")}
    assert (read["run"], read["status"], read["reason"]) == (2, "queued", None)
    assert read["callback_url"] == retry["callback_url"]
    jobs, queued = await rows_for(database_url, body["essay_id"])
    assert [(j["run"], j["status"]) for j in jobs] == [(2, "queued")]
    assert [q["dedup_key"] for q in queued] == [
        f"spellcheck:{job_id}:run1",
        f"spellcheck:{job_id}:run2",
    ]
    assert json.loads(queued[1]["payload"]) == {"job_id": job_id, "run": 2}


async def test_unknown_jobs_are_404_problems(database_url):
    async with running_app(fast_settings(database_url, job_concurrency=0)) as app:
        response = await app.test_client().get(f"/v1/jobs/{uuid.uuid4()}")
        assert response.status_code == 404 and response.content_type == PROBLEM
