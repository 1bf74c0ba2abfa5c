"""Races through two app instances on one database: the invariants must hold."""

from __future__ import annotations

import asyncio
import contextlib

from service_kit.testing.receiver import Receiver, serving
from services.file_service.tests.fakes import content_answer
from services.file_service.tests.integration.helpers import (
    fast_settings,
    fetch,
    multipart,
    new_batch,
    running_app,
)
from services.file_service.tests.unit import sample_files as sf

ESSAY = sf.SWEDISH_TEXT.encode()


@contextlib.asynccontextmanager
async def two_clients(database_url: str):
    async with (
        serving(Receiver(reply=content_answer("c" * 64))) as content,
        serving(Receiver()) as els,
    ):
        settings = fast_settings(
            database_url,
            content_service_url=content.url,
            essay_lifecycle_url=els.url,
            job_concurrency=1,
        )
        async with running_app(settings) as first, running_app(settings) as second:
            yield first.test_client(), second.test_client()


async def test_concurrent_replacements_each_get_their_own_version(database_url):
    async with two_clients(database_url) as clients:
        made = await clients[0].post(
            f"/v1/batches/{new_batch()}/files", files=multipart(("v1.txt", ESSAY))
        )
        file_id = (await made.get_json())["files"][0]["file_id"]
        responses = await asyncio.gather(
            *(
                clients[i % 2].put(f"/v1/files/{file_id}", files=multipart((f"v{i}.txt", ESSAY)))
                for i in range(8)
            )
        )
    statuses = [r.status_code for r in responses]
    bodies = [await r.get_json() for r in responses]
    # the file exists throughout: a PUT either wins a version or loses the race clearly (409)
    assert set(statuses) <= {202, 409}, statuses
    won = sorted(b["version"] for s, b in zip(statuses, bodies, strict=True) if s == 202)
    assert won == list(range(2, 2 + len(won)))
    assert won, "at least one replacement wins"
    rows = await fetch(
        database_url,
        "SELECT version FROM file_versions WHERE file_id = $1::uuid ORDER BY version",
        file_id,
    )
    assert [r["version"] for r in rows] == [1, *won]
    current = await fetch(
        database_url, "SELECT current_version FROM files WHERE id = $1::uuid", file_id
    )
    assert current[0]["current_version"] == won[-1]


async def test_concurrent_deletes_delete_once(database_url):
    async with two_clients(database_url) as clients:
        made = await clients[0].post(
            f"/v1/batches/{new_batch()}/files", files=multipart(("e.txt", ESSAY))
        )
        file_id = (await made.get_json())["files"][0]["file_id"]
        responses = await asyncio.gather(
            *(clients[i % 2].delete(f"/v1/files/{file_id}") for i in range(8))
        )
    assert sorted(r.status_code for r in responses) == [204] + [404] * 7
    calls = await fetch(
        database_url,
        "SELECT method FROM outbox WHERE idempotency_key = $1",
        f"file:{file_id}:deleted",
    )
    assert [c["method"] for c in calls] == ["DELETE"]
