"""Two replicas of file_service on one database share the extraction work (issue 16): the
real content_service as a process, a recording receiver for essay_lifecycle, two app
instances each with its job workers and outbox relay. Every file is extracted once, by one
of them, and essay_lifecycle hears of it once: none done twice, none lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from service_kit.testing.processes import ServiceProcess, running_service
from service_kit.testing.receiver import Receiver, serving
from services.file_service.tests.integration.helpers import (
    eventually,
    fast_settings,
    fetch,
    multipart,
    new_batch,
    running_app,
)
from services.file_service.tests.unit import sample_files as sf

FILES = 40


@pytest_asyncio.fixture(scope="module")
async def content_service(make_database, tmp_path_factory) -> AsyncIterator[ServiceProcess]:
    url = await make_database("fs_replicas_content")
    with running_service("content_service", url, tmp_path_factory.mktemp("content")) as service:
        yield service


def _essay(k: int) -> bytes:
    return f"Uppsats nummer {k}. {sf.SWEDISH_TEXT}".encode()


async def _finished(database_url: str, count: int) -> list[Any] | None:
    jobs = await fetch(database_url, "SELECT status::text AS status, attempts, worker_id FROM jobs")
    outbox = await fetch(database_url, "SELECT status::text AS status FROM outbox")
    done = len(jobs) == count and all(j["status"] == "succeeded" for j in jobs)
    told = len(outbox) == count and all(r["status"] == "delivered" for r in outbox)
    return jobs if done and told else None


async def test_two_replicas_extract_every_file_once(database_url, content_service):
    batch = new_batch()
    async with serving(Receiver()) as els:
        settings = fast_settings(
            database_url,
            content_service_url=content_service.url,
            essay_lifecycle_url=els.url,
            job_concurrency=2,
        )
        async with running_app(settings) as first, running_app(settings) as second:
            clients = [first.test_client(), second.test_client()]
            accepted: list[dict[str, Any]] = []
            for k in range(0, FILES, 4):  # uploads alternate between the replicas
                upload = [(f"essay-{j}.txt", _essay(j)) for j in range(k, k + 4)]
                response = await clients[(k // 4) % 2].post(
                    f"/v1/batches/{batch}/files", files=multipart(*upload)
                )
                assert response.status_code == 202, await response.get_data()
                accepted += (await response.get_json())["files"]
            jobs = await eventually(lambda: _finished(database_url, FILES), 90)
            files = await fetch(
                database_url,
                "SELECT v.status::text AS status, v.text_content_id FROM files f "
                "JOIN file_versions v ON v.file_id = f.id WHERE f.batch_id = $1",
                batch,
            )

    assert len(accepted) == FILES
    # every file extracted, each by one run of one worker; both replicas took a share
    assert all(j["attempts"] == 1 for j in jobs), jobs
    workers = Counter(j["worker_id"] for j in jobs)
    assert len(workers) == 2, workers
    assert len(files) == FILES
    assert all(f["status"] == "ready" and f["text_content_id"] for f in files), files
    # essay_lifecycle heard of every file exactly once
    assert els.keys() == Counter({f"file:{f['file_id']}:v1": 1 for f in accepted})
