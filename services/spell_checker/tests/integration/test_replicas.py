"""Two replicas of spell_checker on one database share the work (issue 16): the real
content_service as a process, a recording receiver for essay_lifecycle, two app instances
each with its job workers and outbox relay. Jobs posted to either are each checked once, by
one of them, and called back once: none done twice, none lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from service_kit.testing.processes import ServiceProcess, running_service
from service_kit.testing.receiver import Receiver, serving
from services.spell_checker.tests.integration.helpers import (
    eventually,
    fast_settings,
    fetch,
    job_body,
    running_app,
    store_text,
)

ESSAYS = 40
TEXT = "Students often recieve feedback about thier speling, essay number {k}."


@pytest_asyncio.fixture(scope="module")
async def content_service(make_database, tmp_path_factory) -> AsyncIterator[ServiceProcess]:
    url = await make_database("sc_replicas_content")
    with running_service("content_service", url, tmp_path_factory.mktemp("content")) as service:
        yield service


async def _finished(database_url: str, count: int) -> list[Any] | None:
    jobs = await fetch(database_url, "SELECT status::text AS status, attempts, worker_id FROM jobs")
    outbox = await fetch(database_url, "SELECT status::text AS status FROM outbox")
    done = len(jobs) == count and all(j["status"] == "succeeded" for j in jobs)
    told = len(outbox) == count and all(r["status"] == "delivered" for r in outbox)
    return jobs if done and told else None


async def test_two_replicas_check_every_essay_once(database_url, content_service):
    async with serving(Receiver()) as els:
        settings = fast_settings(
            database_url, content_service_url=content_service.url, job_concurrency=2
        )
        bodies = [
            job_body(els.url, await store_text(content_service.url, TEXT.format(k=k)))
            for k in range(ESSAYS)
        ]
        async with running_app(settings) as first, running_app(settings) as second:
            clients = [first.test_client(), second.test_client()]
            for k, body in enumerate(bodies):
                # each job posted twice, to both replicas: still one job
                for client in (clients[k % 2], clients[(k + 1) % 2]):
                    accepted = await client.post(
                        "/v1/jobs", json=body, headers={"Idempotency-Key": f"spellcheck:{k}:1"}
                    )
                    assert accepted.status_code == 202, await accepted.get_data()
            jobs = await eventually(lambda: _finished(database_url, ESSAYS), 90)
            checks = await fetch(
                database_url,
                "SELECT essay_id, run, status::text AS status, corrected_text_content_id "
                "FROM spellcheck_jobs",
            )

    # every essay checked by one run of one worker; both replicas took a share
    assert all(j["attempts"] == 1 for j in jobs), jobs
    workers = Counter(j["worker_id"] for j in jobs)
    assert len(workers) == 2, workers
    assert sorted(c["essay_id"] for c in checks) == sorted(b["essay_id"] for b in bodies)
    assert all(c["run"] == 1 and c["status"] == "succeeded" for c in checks), checks
    # essay_lifecycle called back once per essay
    paths = Counter(r.path for r in els.received)
    assert paths == Counter(
        f"/internal/v1/essays/{b['essay_id']}/spellcheck-result" for b in bodies
    )
    # content_service holds one corrected text per essay
    async with httpx.AsyncClient(base_url=content_service.url) as content:
        for body in bodies[:5]:
            documents = (
                await content.get("/v1/documents", params={"essay_id": body["essay_id"]})
            ).json()["items"]
            assert [d["kind"] for d in documents] == ["corrected_text"]
