"""Runs as durable jobs on a real PostgreSQL: texts from a real content_service, the failure
callback when they cannot be had, and a worker process killed mid-assessment."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest_asyncio

from service_kit.postgres_server import free_port
from service_kit.testing.processes import ServiceProcess, running_service, service_environment
from service_kit.testing.receiver import Receiver, serving
from services.cj_assessment.tests.integration.helpers import (
    FAST_ENV,
    essays,
    eventually,
    fast_settings,
    fetch,
    running_app,
)


@pytest_asyncio.fixture(scope="module")
async def content_service(make_database, tmp_path_factory) -> AsyncIterator[ServiceProcess]:
    url = await make_database("cj_content")
    with running_service("content_service", url, tmp_path_factory.mktemp("content")) as service:
        yield service


async def store_texts(content_url: str, texts: list[str]) -> list[str]:
    async with httpx.AsyncClient(base_url=content_url, timeout=10) as client:
        ids = []
        for text in texts:
            response = await client.post(
                "/v1/content",
                content=text.encode(),
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
            assert response.status_code in (200, 201), response.text
            ids.append(response.json()["content_id"])
        return ids


async def finished(client: Any, aid: str, timeout: float = 60) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        got = await (await client.get(f"/v1/assessments/{aid}")).get_json()
        return got if got["status"] in ("completed", "failed") else None

    return dict(await eventually(check, timeout))


async def test_texts_come_from_content_service_and_the_run_completes(database_url, content_service):
    written = [e["text"] + " Åsa skrev på svenska." for e in essays(5)]
    ids = await store_texts(content_service.url, written)
    async with serving(Receiver()) as els:
        settings = fast_settings(database_url, content_service_url=content_service.url)
        async with running_app(settings) as app:
            client = app.test_client()
            body = {
                "batch_id": "b-content",
                "essays": [{"essay_id": f"s{i}", "content_id": c} for i, c in enumerate(ids)],
                "anchors": [{"grade": "A", "content_id": ids[4]}, {"grade": "E", "essay_id": "s0"}],
                "grade_scale": ["E", "C", "A"],
                "judge": "baseline",
                "min_comparisons_per_essay": 2,
                "max_comparisons_per_essay": 4,
                "callback_url": f"{els.url}/internal/v1/batches/b-content/cj-result",
            }
            created = await client.post("/v1/assessments", json=body)
            assert created.status_code == 201, await created.get_data()
            aid = (await created.get_json())["assessment_id"]
            assert (await created.get_json())["status"] == "preparing"
            final = await finished(client, aid)
            await els.wait_for(1)
    assert final["status"] == "completed", final
    rows = await fetch(
        database_url,
        "SELECT essay_id, content_id, text FROM assessment_essays WHERE assessment_id = $1"
        " ORDER BY ordinal",
        uuid.UUID(aid),
    )
    assert [r["text"] for r in rows] == [*written, written[4]]  # the anchor's own copy too
    assert [r["essay_id"] for r in rows][-1] == "anchor-1"
    assert {r["essay_id"]: r["anchor"] for r in final["ranking"]}["anchor-1"] is True
    assert all(r["grade"] in {"E", "C", "A"} for r in final["ranking"])
    (callback,) = els.received
    assert sorted(r["essay_id"] for r in callback.body["ranking"]) == [f"s{i}" for i in range(5)]
    graded = {r["essay_id"]: r for r in callback.body["ranking"]}
    assert graded["s0"]["grade"] == "E"  # an anchor keeps the grade it was given
    for essay_id in ("s1", "s2", "s3", "s4"):
        probabilities = graded[essay_id]["grade_probabilities"]
        assert set(probabilities) == {"E", "C", "A"}
        assert abs(sum(probabilities.values()) - 1) < 1e-6


async def test_content_that_cannot_be_fetched_fails_the_assessment_with_a_callback(
    database_url, content_service
):
    (known,) = await store_texts(content_service.url, ["A text content_service has."])
    unknown = "0" * 64
    async with serving(Receiver()) as els:
        settings = fast_settings(database_url, content_service_url=content_service.url)
        async with running_app(settings) as app:
            client = app.test_client()
            body = {
                "essays": [
                    {"essay_id": "here", "content_id": known},
                    {"essay_id": "gone", "content_id": unknown},
                ],
                "callback_url": f"{els.url}/cb",
            }
            aid = (await (await client.post("/v1/assessments", json=body)).get_json())[
                "assessment_id"
            ]
            final = await finished(client, aid)
            await els.wait_for(1)
            await asyncio.sleep(0.5)
    assert final["status"] == "failed"
    assert "gone" in final["failure_reason"] and "404" in final["failure_reason"]
    assert len(els.received) == 1
    assert els.received[0].body == {
        "status": "failed",
        "assessment_id": aid,
        "batch_id": None,
        "reason": final["failure_reason"],
    }
    assert els.received[0].idempotency_key == f"cj_assessment:{aid}:result"


async def test_content_service_down_through_every_attempt_fails_the_assessment(database_url):
    async with serving(Receiver()) as els:
        nobody = f"http://127.0.0.1:{free_port()}"
        settings = fast_settings(database_url, content_service_url=nobody)
        async with running_app(settings) as app:
            client = app.test_client()
            body = {
                "essays": [{"essay_id": "a", "content_id": "c1"}, {"essay_id": "b", "text": "t"}],
                "callback_url": f"{els.url}/cb",
            }
            aid = (await (await client.post("/v1/assessments", json=body)).get_json())[
                "assessment_id"
            ]
            final = await finished(client, aid)
            await els.wait_for(1)
    assert final["status"] == "failed"
    assert "content_service stayed unavailable" in final["failure_reason"]
    jobs = await fetch(
        database_url,
        "SELECT status::text AS status, attempts FROM jobs WHERE payload->>'assessment_id' = $1",
        aid,
    )
    assert [(j["status"], j["attempts"]) for j in jobs] == [("succeeded", 5)]
    assert els.received[0].body["status"] == "failed"


@contextlib.contextmanager
def killed_on_exit(*processes: ServiceProcess) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.kill()


async def test_a_killed_worker_s_assessment_continues_and_completes_once(
    make_migrated_database, tmp_path
):
    database_url = await make_migrated_database("cj_assessment")
    aid = ""

    async def state() -> tuple[str, int]:
        rows = await fetch(
            database_url,
            "SELECT a.status::text AS status, count(c.pair_id) AS judged FROM assessments a"
            " LEFT JOIN comparisons c ON c.assessment_id = a.id WHERE a.id = $1"
            " GROUP BY a.status",
            uuid.UUID(aid),
        )
        return rows[0]["status"], rows[0]["judged"]

    async def some_rounds_recorded() -> bool:
        _, judged = await state()
        return judged >= 80  # two rounds of 40 pairs

    async with serving(Receiver()) as els:
        env = service_environment(
            "cj_assessment", database_url, CJ_ASSESSMENT_JOB_LEASE_SECONDS="2", **FAST_ENV
        )
        first = ServiceProcess("cj_assessment", free_port(), env, tmp_path / "first.log")
        second = ServiceProcess("cj_assessment", free_port(), env, tmp_path / "second.log")
        with killed_on_exit(first, second):
            # workers=0: hypercorn serves from the process itself, so kill() kills the app
            await asyncio.to_thread(first.start, workers=0)
            async with httpx.AsyncClient(timeout=10) as client:
                body = {
                    "essays": essays(80),
                    "judge": "baseline",
                    "min_comparisons_per_essay": 5,
                    "max_comparisons_per_essay": 30,
                    "target_reliability": 0.99,
                    "callback_url": f"{els.url}/cb",
                }
                created = await client.post(f"{first.url}/v1/assessments", json=body)
                assert created.status_code == 201, created.text
                aid = created.json()["assessment_id"]
                await eventually(some_rounds_recorded, 60, interval=0.02)
                first.kill()
                assert first.process is not None and first.process.returncode == -9
                status_at_kill, judged_at_kill = await state()
                assert status_at_kill == "running"  # killed mid-assessment, not after it

                await asyncio.to_thread(second.start, workers=0)

                async def done() -> dict[str, Any] | None:
                    got = (await client.get(f"{second.url}/v1/assessments/{aid}")).json()
                    return got if got["status"] != "running" else None

                final = await eventually(done, 120)
                await els.wait_for(1)
                await asyncio.sleep(1.0)  # a second callback would arrive now
            await asyncio.to_thread(second.stop)

    assert final["status"] == "completed", final
    assert final["comparisons"] > judged_at_kill
    assert final["comparisons"] <= 80 * 30 // 2  # the budget holds across the restart
    assert sum(final["exposure"].values()) == 2 * final["comparisons"]
    jobs = await fetch(database_url, "SELECT status::text AS status, attempts FROM jobs")
    assert [(j["status"], j["attempts"]) for j in jobs] == [("succeeded", 2)]
    assert Counter(r.idempotency_key for r in els.received) == Counter(
        {f"cj_assessment:{aid}:result": 1}
    )
    assert els.received[0].body["comparisons"] == final["comparisons"]
