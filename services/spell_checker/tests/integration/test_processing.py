"""Jobs end to end over real HTTP: the real content_service as a hypercorn process, a
recording receiver standing in for essay_lifecycle, spell_checker in-process with its
workers and outbox relay on real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from service_kit.postgres_server import free_port
from service_kit.testing.processes import ServiceProcess, running_service
from service_kit.testing.receiver import Receiver, serving
from services.spell_checker.spelling import checking
from services.spell_checker.tests.faults import FAULT_REASON
from services.spell_checker.tests.integration.helpers import (
    eventually,
    fast_settings,
    fetch,
    job_body,
    running_app,
    store_text,
)

ESSAY = (
    "Students often recieve feedback about thier speling. Teachers in Göteborg and at "
    "NASA agree that writting every day helps, and that a good dictionary is usefull."
)


@pytest_asyncio.fixture(scope="module")
async def content_service(make_database, tmp_path_factory) -> AsyncIterator[ServiceProcess]:
    url = await make_database("sc_content")
    with running_service("content_service", url, tmp_path_factory.mktemp("content")) as service:
        yield service


async def delivered(database_url: str, count: int) -> list[Any] | None:
    rows = await fetch(
        database_url,
        "SELECT idempotency_key, status::text AS status, url FROM outbox ORDER BY id",
    )
    if len(rows) >= count and all(r["status"] == "delivered" for r in rows):
        return rows
    return None


async def test_a_job_end_to_end_stores_everything_and_calls_back_once(
    make_migrated_database, content_service
):
    database_url = await make_migrated_database("spell_checker")
    content_id = await store_text(content_service.url, ESSAY)
    expected = checking.checker_for("en").check(ESSAY)
    async with serving(Receiver()) as els:
        settings = fast_settings(database_url, content_service_url=content_service.url)
        body = job_body(els.url, content_id, ignore=["usefull"])
        async with running_app(settings) as app:
            client = app.test_client()
            accepted = await client.post(
                "/v1/jobs", json=body, headers={"Idempotency-Key": "spellcheck:e:1"}
            )
            assert accepted.status_code == 202, await accepted.get_data()
            job_id = (await accepted.get_json())["job_id"]
            await els.wait_for(1)
            await eventually(lambda: delivered(database_url, 1))
            job = await (await client.get(f"/v1/jobs/{job_id}")).get_json()
            pages, cursor = [], None
            while True:
                query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
                page = await (
                    await client.get(f"/v1/jobs/{job_id}/corrections", query_string=query)
                ).get_json()
                pages.append(page["items"])
                cursor = page["next_cursor"]
                if cursor is None:
                    break

    # the job: its figures, timings and corrected text
    assert job["status"] == "succeeded" and job["run"] == 1 and job["reason"] is None
    ignored = checking.checker_for("en").check(ESSAY, ignore=("usefull",))
    assert ignored.error_count == expected.error_count - 1
    assert (job["word_count"], job["error_count"], job["corrections_count"]) == (
        ignored.word_count,
        ignored.error_count,
        len(ignored.corrections),
    )
    assert job["errors_per_100_words"] == ignored.errors_per_100_words
    assert (job["corrected_count"], job["flagged_count"], job["unknown_count"]) == (
        ignored.corrected_count,
        ignored.flagged_count,
        ignored.unknown_count,
    )
    assert job["corrected_count"] + job["flagged_count"] == job["error_count"]
    assert job["started_at"] and job["finished_at"] and job["check_ms"] >= 0
    assert job["queued_at"] <= job["started_at"] <= job["finished_at"]

    # the corrections, paginated two at a time, in text order, slicing back to the essay
    items = [item for page in pages for item in page]
    assert all(len(page) <= 2 for page in pages) and len(pages) == (len(items) + 1) // 2
    assert [i["position"] for i in items] == list(range(len(ignored.corrections)))
    assert [
        (i["start"], i["end"], i["original"], i["suggestion"], i["applied"]) for i in items
    ] == [(c.start, c.end, c.original, c.suggestion, c.applied) for c in ignored.corrections]
    assert ("recieve", "receive") in [(i["original"], i["suggestion"]) for i in items]
    assert all(ESSAY[i["start"] : i["end"]] == i["original"] for i in items)
    rows = await fetch(
        database_url, "SELECT count(*) AS n FROM corrections WHERE job_id = $1", uuid.UUID(job_id)
    )
    assert rows[0]["n"] == job["corrections_count"]

    # content_service holds the corrected text as a corrected_text document of the essay
    async with httpx.AsyncClient(base_url=content_service.url) as content:
        text = await content.get(f"/v1/content/{job['corrected_text_content_id']}")
        assert text.text == ignored.corrected_text
        assert "receive feedback about their spelling" in text.text and "usefull" in text.text
        documents = (
            await content.get("/v1/documents", params={"essay_id": body["essay_id"]})
        ).json()["items"]
    assert [(d["kind"], d["content_id"]) for d in documents] == [
        ("corrected_text", job["corrected_text_content_id"])
    ]
    assert documents[0]["metadata"]["spellcheck_job_id"] == job_id
    assert documents[0]["batch_id"] == body["batch_id"]

    # essay_lifecycle heard once, with the figures
    (call,) = els.received
    assert call.method == "POST"
    assert call.path == f"/internal/v1/essays/{body['essay_id']}/spellcheck-result"
    assert call.idempotency_key == f"spellcheck:{job_id}:run1:" + call.idempotency_key[-16:]
    assert call.body == {
        "status": "succeeded",
        "job_id": job_id,
        "language": "en",
        "corrected_text_content_id": job["corrected_text_content_id"],
        "word_count": job["word_count"],
        "error_count": job["error_count"],
        "errors_per_100_words": job["errors_per_100_words"],
        "corrections_count": job["corrections_count"],
        "corrected_count": job["corrected_count"],
        "flagged_count": job["flagged_count"],
        "unknown_count": job["unknown_count"],
    }


async def test_missing_content_fails_at_once_and_the_failure_is_called_back(
    database_url, content_service
):
    missing = "0" * 64
    async with serving(Receiver()) as els:
        settings = fast_settings(database_url, content_service_url=content_service.url)
        body = job_body(els.url, missing)
        async with running_app(settings) as app:
            accepted = await app.test_client().post("/v1/jobs", json=body)
            job_id = (await accepted.get_json())["job_id"]
            await els.wait_for(1)
            job = await (await app.test_client().get(f"/v1/jobs/{job_id}")).get_json()

    assert job["status"] == "failed" and missing in job["reason"]
    (call,) = els.received
    assert call.body == {"status": "failed", "job_id": job_id, "reason": job["reason"]}
    attempts = await fetch(
        database_url, "SELECT attempts FROM jobs WHERE payload->>'job_id' = $1", job_id
    )
    assert [a["attempts"] for a in attempts] == [1]  # a 404 is not retried


async def test_content_service_down_is_retried_until_exhausted_then_called_back(database_url):
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with serving(Receiver()) as els:
        settings = fast_settings(database_url, content_service_url=down, job_max_attempts=3)
        body = job_body(els.url, "1" * 64)
        async with running_app(settings) as app:
            accepted = await app.test_client().post("/v1/jobs", json=body)
            job_id = (await accepted.get_json())["job_id"]
            await els.wait_for(1, timeout=30)
            job = await (await app.test_client().get(f"/v1/jobs/{job_id}")).get_json()

    assert job["status"] == "failed"
    assert job["reason"].startswith("content_service unavailable: ConnectError")
    (call,) = els.received
    assert call.body == {"status": "failed", "job_id": job_id, "reason": job["reason"]}
    attempts = await fetch(
        database_url,
        "SELECT attempts, status::text AS status FROM jobs WHERE payload->>'job_id' = $1",
        job_id,
    )
    assert [(a["attempts"], a["status"]) for a in attempts] == [(3, "succeeded")]


async def test_an_injected_fault_fails_run_one_and_the_retry_succeeds(
    database_url, content_service
):
    content_id = await store_text(content_service.url, "Anuther essay.")
    async with serving(Receiver()) as els:
        settings = fast_settings(database_url, content_service_url=content_service.url)
        body = job_body(els.url, content_id)
        async with running_app(settings, fail_first_runs=1) as app:
            client = app.test_client()
            job_id = (await (await client.post("/v1/jobs", json=body)).get_json())["job_id"]
            await els.wait_for(1)
            retry = {**body, "callback_url": body["callback_url"].replace("=1", "=2")}
            again = await (await client.post("/v1/jobs", json=retry)).get_json()
            assert (again["job_id"], again["run"]) == (job_id, 2)
            await els.wait_for(2)
            job = await (await client.get(f"/v1/jobs/{job_id}")).get_json()

    first, second = els.received
    assert first.body == {"status": "failed", "job_id": job_id, "reason": FAULT_REASON}
    assert first.path.endswith("spellcheck-result") and second.body["status"] == "succeeded"
    assert (job["status"], job["run"], job["error_count"]) == ("succeeded", 2, 1)
    assert second.body["corrected_text_content_id"] == job["corrected_text_content_id"]
