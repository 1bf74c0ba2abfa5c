"""A spell_checker process killed (kill -9) in the middle of a job: the next process
finishes it, and there is exactly one result, one corrected text and one callback."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx
import pytest_asyncio
from quart import Quart, Response, request

from service_kit.postgres_server import free_port
from service_kit.testing.processes import ServiceProcess, running_service, service_environment
from service_kit.testing.receiver import Receiver, serving
from services.spell_checker.tests.integration.helpers import (
    eventually,
    fetch,
    job_body,
    store_text,
)

ESSAY = "Students often recieve feedback about thier speling, wich helps them a lot."


@dataclass
class HoldingProxy:
    """Forwards to ``target``; the first POST /v1/documents is done by the target, but its
    answer is held until ``release`` is set, so the caller hangs after the step took effect.
    Duck-types Receiver for ``serving()``."""

    target: str
    port: int = field(default_factory=free_port)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    held: asyncio.Event = field(default_factory=asyncio.Event)
    seen: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Quart:
        app = Quart("holding_proxy")

        @app.route("/<path:path>", methods=["GET", "POST"])
        async def forward(path: str) -> Response:
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower() in {"content-type", "idempotency-key", "x-correlation-id"}
            }
            async with httpx.AsyncClient() as client:
                answer = await client.request(
                    request.method,
                    f"{self.target}/{path}",
                    content=await request.get_data(),
                    headers=headers,
                )
            self.seen.append((request.method, "/" + path, answer.status_code))
            if path == "v1/documents" and not self.held.is_set():
                self.held.set()
                await self.release.wait()
            return Response(
                answer.content,
                status=answer.status_code,
                content_type=answer.headers.get("content-type"),
            )

        return app


@pytest_asyncio.fixture(scope="module")
async def content_service(make_database, tmp_path_factory) -> AsyncIterator[ServiceProcess]:
    url = await make_database("sc_crash_content")
    with running_service("content_service", url, tmp_path_factory.mktemp("content")) as service:
        yield service


@contextlib.contextmanager
def killed_on_exit(*processes: ServiceProcess) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.kill()


async def test_a_worker_killed_mid_job_leaves_one_result_and_one_callback(
    make_migrated_database, content_service, tmp_path
):
    database_url = await make_migrated_database("spell_checker")
    content_id = await store_text(content_service.url, ESSAY)
    async with (
        serving(Receiver()) as els,
        serving(HoldingProxy(content_service.url)) as proxy,  # type: ignore[arg-type]
    ):
        fast = {
            "SPELL_CHECKER_JOB_LEASE_SECONDS": "2",
            "SPELL_CHECKER_JOB_POLL_SECONDS": "0.2",
            "SPELL_CHECKER_OUTBOX_POLL_SECONDS": "0.2",
            "SPELL_CHECKER_OUTBOX_BACKOFF_BASE_SECONDS": "0.05",
        }
        env = service_environment(
            "spell_checker", database_url, CONTENT_SERVICE_URL=proxy.url, **fast
        )
        first = ServiceProcess("spell_checker", free_port(), env, tmp_path / "first.log")
        second = ServiceProcess(
            "spell_checker",
            free_port(),
            {**env, "CONTENT_SERVICE_URL": content_service.url},
            tmp_path / "second.log",
        )
        body = job_body(els.url, content_id)
        with killed_on_exit(first, second):
            # workers=0: hypercorn serves from its own process, so kill() kills the app
            await asyncio.to_thread(first.start, workers=0)
            async with httpx.AsyncClient(timeout=10) as client:
                accepted = await client.post(f"{first.url}/v1/jobs", json=body)
                assert accepted.status_code == 202, accepted.text
                job_id = accepted.json()["job_id"]
                # the corrected text is stored in content_service; its answer never comes
                await asyncio.wait_for(proxy.held.wait(), 30)
                first.kill()
                assert first.process is not None and first.process.returncode == -9
                crashed = (
                    await client.get(
                        f"{content_service.url}/v1/documents", params={"essay_id": body["essay_id"]}
                    )
                ).json()
                assert [d["kind"] for d in crashed["items"]] == ["corrected_text"]
                mid = await fetch(
                    database_url,
                    "SELECT status::text AS status FROM spellcheck_jobs WHERE id = $1",
                    uuid.UUID(job_id),
                )
                assert [m["status"] for m in mid] == ["running"]  # no outcome written yet

                await asyncio.to_thread(second.start, workers=0)

                async def finished() -> dict | None:
                    got = (await client.get(f"{second.url}/v1/jobs/{job_id}")).json()
                    return got if got["status"] in ("succeeded", "failed") else None

                job = await eventually(finished, 30)
                await els.wait_for(1)
                await asyncio.sleep(1.0)  # nothing more arrives
                documents = (
                    await client.get(
                        f"{content_service.url}/v1/documents",
                        params={"essay_id": body["essay_id"]},
                    )
                ).json()["items"]
            await asyncio.to_thread(second.stop)

    assert job["status"] == "succeeded" and job["run"] == 1
    assert job["corrections_count"] == job["error_count"] >= 3
    rows = await fetch(
        database_url,
        "SELECT position FROM corrections WHERE job_id = $1 ORDER BY position",
        uuid.UUID(job_id),
    )
    assert [r["position"] for r in rows] == list(range(job["corrections_count"]))
    queued = await fetch(database_url, "SELECT status::text AS status, attempts FROM jobs")
    assert [(q["status"], q["attempts"]) for q in queued] == [("succeeded", 2)]
    # one corrected text: the repeat got the document the killed process made
    assert [(d["kind"], d["content_id"]) for d in documents] == [
        ("corrected_text", job["corrected_text_content_id"])
    ]
    assert documents[0]["id"] == crashed["items"][0]["id"]
    # and one callback, with the result
    assert Counter(r.idempotency_key for r in els.received).most_common() == [
        (els.received[0].idempotency_key, 1)
    ]
    assert els.received[0].body["corrections_count"] == job["corrections_count"]
    assert els.received[0].body["corrected_text_content_id"] == job["corrected_text_content_id"]
