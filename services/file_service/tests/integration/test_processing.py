"""Processing over real HTTP: the real content_service as a hypercorn process, a recording
receiver standing in for essay_lifecycle, file_service in-process or as a process of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest_asyncio
from quart import Quart, Response, request

from service_kit.postgres_server import free_port
from service_kit.testing.processes import (
    ServiceProcess,
    running_service,
    service_environment,
)
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

ENGLISH = "\n\n".join(sf.ESSAY_PARAGRAPHS)
MARKDOWN = (
    "# Sjöarna i Sverige\n\n"
    "Det här är en **uppsats** om _våra_ sjöar. Se [SMHI](https://www.smhi.se) för mer.\n\n"
    "- Vänern är störst\n"
    "- Vättern är djupast\n\n"
    "> Över ängarna hörs fåglarna på våren.\n"
)

# filename, bytes, expected status, expected error code, words the extracted text must hold
READY = [
    (
        "uppsats.docx",
        sf.make_docx(
            sf.ESSAY_PARAGRAPHS,
            [["Stad", "Utsläpp"], ["Göteborg", "minskar"]],
            paragraphs_after_table=["Slutord om våra älvar och sjöar."],
        ),
        ["Climate change", "Stad Utsläpp", "Göteborg minskar", "Slutord om våra älvar"],
    ),
    (
        "report.pdf",
        sf.make_pdf([ENGLISH, sf.SWEDISH_TEXT]),
        ["defining challenges", "Vänern och Vättern", "Göta älv", "björk"],
    ),
    (
        "uppsats.odt",
        sf.make_odt([sf.SWEDISH_TEXT, sf.ESSAY_PARAGRAPHS[1]], heading="Älvar"),
        ["Älvar", "sjöar och älvar", "renewable heating"],
    ),
    ("uppsats.rtf", sf.make_rtf(sf.SWEDISH_TEXT), ["Det här är en uppsats", "söderut"]),
    ("utf8.txt", sf.SWEDISH_TEXT.encode("utf-8"), [sf.SWEDISH_TEXT]),
    ("cp1252.txt", sf.SWEDISH_TEXT.encode("cp1252"), [sf.SWEDISH_TEXT]),
    (
        "anteckningar.md",
        MARKDOWN.encode(),
        ["Sjöarna i Sverige", "en uppsats om våra sjöar", "Se SMHI för mer", "Vänern är störst"],
    ),
]
REJECTED = [
    ("locked.pdf", sf.make_encrypted_pdf(sf.SWEDISH_TEXT), "encrypted_pdf"),
    ("scan.pdf", sf.make_image_only_pdf(2), "unreadable_pdf"),
    ("broken.docx", sf.make_corrupt_docx(), "corrupt_document"),  # refused at upload
    ("broken-xml.docx", sf.make_docx_with_broken_xml(), "corrupt_document"),
    ("bomb.docx", sf.make_docx_zip_bomb(uncompressed_mb=20), "archive_too_large"),
    ("short.txt", "För kort.".encode(), "text_too_short"),
]


@pytest_asyncio.fixture(scope="module")
async def content_service(make_database, tmp_path_factory) -> AsyncIterator[ServiceProcess]:
    url = await make_database("fs_content")
    with running_service("content_service", url, tmp_path_factory.mktemp("content")) as service:
        yield service


async def outbox_rows(database_url: str, batch: str) -> list[Any]:
    return await fetch(
        database_url,
        "SELECT idempotency_key, status::text AS status, attempts, last_status FROM outbox "
        "WHERE url LIKE $1 ORDER BY id",
        f"%/batches/{batch}/%",
    )


async def all_delivered(database_url: str, batch: str, count: int) -> list[Any] | None:
    rows = await outbox_rows(database_url, batch)
    if len(rows) == count and all(r["status"] == "delivered" for r in rows):
        return rows
    return None


async def documents_of(content_url: str, batch: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=content_url) as client:
        response = await client.get("/v1/documents", params={"batch_id": batch, "limit": 500})
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


# --------------------------------------------------------------------------- (a) extraction


async def test_real_files_end_ready_or_rejected_and_essay_lifecycle_hears_once(
    database_url, content_service
):
    batch = new_batch()
    uploads = [(name, data) for name, data, _ in READY] + [(n, d) for n, d, _ in REJECTED]
    settings = fast_settings(
        database_url, content_service_url=content_service.url, essay_lifecycle_url="http://x"
    )
    async with serving(Receiver()) as els:
        settings = settings.model_copy(update={"essay_lifecycle_url": els.url})
        async with running_app(settings) as app:
            client = app.test_client()
            response = await client.post(f"/v1/batches/{batch}/files", files=multipart(*uploads))
            assert response.status_code == 202, await response.get_data()
            accepted = (await response.get_json())["files"]
            by_name = {f["filename"]: f for f in accepted}
            assert list(by_name) == [name for name, _ in uploads]
            assert by_name["broken.docx"]["status"] == "rejected"  # known at upload

            await eventually(lambda: all_delivered(database_url, batch, len(uploads)), 45)
            final = {
                name: await (await client.get(f"/v1/files/{f['file_id']}")).get_json()
                for name, f in by_name.items()
            }

    # every file ends in the state its content calls for
    for name, data, _ in READY:
        got = final[name]
        assert (got["status"], got["error_code"]) == ("ready", None), (name, got)
        assert got["raw_content_id"] == hashlib.sha256(data).hexdigest()
        assert got["char_count"] > 50 and got["word_count"] > 5
    for name, _, code in REJECTED:
        got = final[name]
        assert (got["status"], got["error_code"]) == ("rejected", code), (name, got)
        assert got["error_message"]
        assert got["text_content_id"] is None

    # essay_lifecycle: one notification per file, each with the right body
    assert els.keys() == Counter({f"file:{f['file_id']}:v1": 1 for f in accepted})
    told = {r.body["file_id"]: r for r in els.received}
    for name, got in final.items():
        call = told[got["file_id"]]
        assert call.method == "POST"
        assert call.path == f"/internal/v1/batches/{batch}/essays"
        assert call.body["filename"] == name
        assert call.body["version"] == 1
        if got["status"] == "ready":
            assert call.body["text_content_id"] == got["text_content_id"]
            assert call.body["raw_content_id"] == got["raw_content_id"]
            assert "error_code" not in call.body
        else:
            assert call.body["error_code"] == got["error_code"]
            assert call.body["error_message"] == got["error_message"]

    # content_service holds the extracted text, Swedish letters intact
    async with httpx.AsyncClient(base_url=content_service.url) as content:
        for name, data, words in READY:
            got = final[name]
            text = await content.get(f"/v1/content/{got['text_content_id']}")
            assert text.status_code == 200
            assert text.headers["content-type"].startswith("text/plain")
            extracted = text.content.decode("utf-8")
            assert len(extracted) == got["char_count"]
            for word in words:
                assert word in extracted, (name, word, extracted)
            raw = await content.get(f"/v1/content/{got['raw_content_id']}")
            assert raw.content == data
        markdown = await content.get(f"/v1/content/{final['anteckningar.md']['text_content_id']}")
        assert "**" not in markdown.text and "](" not in markdown.text and "# " not in markdown.text

    # and one raw_file and one extracted_text document per ready file, none for the others
    documents = await documents_of(content_service.url, batch)
    kinds = Counter((d["metadata"]["file_id"], d["kind"]) for d in documents)
    expected = Counter()
    for name, _, _ in READY:
        expected[(final[name]["file_id"], "raw_file")] = 1
        expected[(final[name]["file_id"], "extracted_text")] = 1
    assert kinds == expected
    for document in documents:
        got = final[document["filename"]]
        wanted = got["raw_content_id" if document["kind"] == "raw_file" else "text_content_id"]
        assert document["content_id"] == wanted
        assert document["metadata"] == {
            "file_id": got["file_id"],
            "version": 1,
            "sha256": got["sha256"],
        }


# --------------------------------------------------------------------------- (b) ELS failing


async def test_notifications_survive_essay_lifecycle_failing_its_first_tries(
    database_url, content_service
):
    batch = new_batch()
    failures = 3
    uploads = [
        ("a.txt", sf.SWEDISH_TEXT.encode()),
        ("b.docx", sf.make_docx(sf.ESSAY_PARAGRAPHS)),
        ("c.txt", ENGLISH.encode("utf-16")),
        ("~$lock.docx", b"lock"),  # rejected at upload: its notification takes the same road
    ]
    async with serving(Receiver(fail_next=failures)) as els:
        settings = fast_settings(
            database_url,
            content_service_url=content_service.url,
            essay_lifecycle_url=els.url,
            outbox_backoff_base_seconds=0.05,
        )
        async with running_app(settings) as app:
            client = app.test_client()
            response = await client.post(f"/v1/batches/{batch}/files", files=multipart(*uploads))
            assert response.status_code == 202
            files = (await response.get_json())["files"]
            rows = await eventually(lambda: all_delivered(database_url, batch, len(uploads)), 30)
            await asyncio.sleep(0.3)  # nothing more arrives once every row is delivered

    keys = {f"file:{f['file_id']}:v1" for f in files}
    assert {r["idempotency_key"] for r in rows} == keys
    assert all(r["last_status"] == 200 for r in rows)
    assert sum(r["attempts"] for r in rows) == len(uploads) + failures

    # the receiver failed the first three requests it got, whichever they were
    assert len(els.received) == len(uploads) + failures
    answered = els.received[failures:]
    assert Counter(r.idempotency_key for r in answered) == Counter(dict.fromkeys(keys, 1))
    assert set(els.keys()) == keys


# --------------------------------------------------------------------------- (c) kill -9


@dataclass
class Proxy:
    """Forwards to ``target``; holds the answer to the first request ``hold`` matches (after
    the target has acted on it) until ``release`` is set. Duck-types Receiver for serving()."""

    target: str
    hold_kind: bytes
    port: int = field(default_factory=free_port)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    held: asyncio.Event = field(default_factory=asyncio.Event)
    forwarded: list[tuple[str, str, str | None, int, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Quart:
        app = Quart("proxy")

        @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        async def forward(path: str) -> Response:
            data = await request.get_data()
            headers = {
                name: value
                for name, value in request.headers.items()
                if name.lower() in {"content-type", "idempotency-key", "x-correlation-id"}
            }
            async with httpx.AsyncClient() as client:
                answer = await client.request(
                    request.method, f"{self.target}/{path}", content=data, headers=headers
                )
            key = request.headers.get("Idempotency-Key")
            body = (
                answer.json() if answer.headers.get("content-type", "").endswith("json") else None
            )
            self.forwarded.append((request.method, "/" + path, key, answer.status_code, body))
            if not self.held.is_set() and self.hold_kind in data:
                self.held.set()
                await self.release.wait()  # the caller never hears back
            return Response(
                answer.content,
                status=answer.status_code,
                content_type=answer.headers.get("content-type"),
            )

        return app


async def _truthy(value: Any) -> bool:
    return bool(value)


@contextlib.contextmanager
def killed_on_exit(*processes: ServiceProcess):
    try:
        yield
    finally:
        for process in processes:
            process.kill()


async def test_a_job_killed_midway_is_finished_once_by_the_next_process(
    make_migrated_database, content_service, tmp_path
):
    batch = new_batch()
    data = sf.make_docx(sf.ESSAY_PARAGRAPHS, [["Stad", "Göteborg"]])
    database_url = await make_migrated_database("file_service")
    async with (
        serving(Receiver()) as els,
        serving(Proxy(content_service.url, b'"extracted_text"')) as proxy,
    ):
        fast = {
            "FILE_SERVICE_JOB_LEASE_SECONDS": "2",
            "FILE_SERVICE_JOB_POLL_SECONDS": "0.2",
            "FILE_SERVICE_OUTBOX_POLL_SECONDS": "0.2",
            "FILE_SERVICE_OUTBOX_BACKOFF_BASE_SECONDS": "0.05",
            "ESSAY_LIFECYCLE_URL": els.url,
        }
        env = service_environment(
            "file_service", database_url, CONTENT_SERVICE_URL=proxy.url, **fast
        )
        first = ServiceProcess("file_service", free_port(), env, tmp_path / "first.log")
        second = ServiceProcess(
            "file_service",
            free_port(),
            {**env, "CONTENT_SERVICE_URL": content_service.url},
            tmp_path / "second.log",
        )
        with killed_on_exit(first, second):
            # workers=0: hypercorn serves from the process itself, so kill() kills the app
            # (with worker processes a SIGKILL of the parent leaves its worker running)
            await asyncio.to_thread(first.start, workers=0)
            async with httpx.AsyncClient(timeout=10) as client:
                uploaded = await client.post(
                    f"{first.url}/v1/batches/{batch}/files",
                    files={"file": ("uppsats.docx", data, "application/octet-stream")},
                )
                assert uploaded.status_code == 202, uploaded.text
                file_id = uploaded.json()["files"][0]["file_id"]

                # the job is claimed (its first call arrived): the next process may start now,
                # it cannot take the job while the first one holds its lease
                await eventually(lambda: _truthy(proxy.forwarded))
                second.start(wait=False, workers=0)
                # the job stored the raw file and both documents, then hangs for the answer
                await asyncio.wait_for(proxy.held.wait(), 20)
                first.kill()
                assert first.process is not None and first.process.returncode == -9
                created = {key: body for _, path, key, status, body in proxy.forwarded if key}
                assert set(created) == {f"file:{file_id}:v1:raw", f"file:{file_id}:v1:text"}
                text_document = created[f"file:{file_id}:v1:text"]["id"]

                await asyncio.to_thread(second.wait_ready)

                async def ready() -> dict[str, Any] | None:
                    got = (await client.get(f"{second.url}/v1/files/{file_id}")).json()
                    return got if got["status"] != "processing" else None

                final = await eventually(ready, 30)
                await eventually(lambda: all_delivered(database_url, batch, 1), 20)
                await asyncio.sleep(0.3)
            await asyncio.to_thread(second.stop)

    assert final["status"] == "ready", final
    assert final["raw_content_id"] == hashlib.sha256(data).hexdigest()
    versions = await fetch(
        database_url, "SELECT version, status::text AS status, staged_bytes FROM file_versions"
    )
    assert [(v["version"], v["status"], v["staged_bytes"]) for v in versions] == [
        (1, "ready", None)
    ]
    jobs = await fetch(database_url, "SELECT status::text AS status, attempts FROM jobs")
    assert [(j["status"], j["attempts"]) for j in jobs] == [("succeeded", 2)]
    assert els.keys() == Counter({f"file:{file_id}:v1": 1})
    assert els.received[0].body["text_content_id"] == final["text_content_id"]

    documents = await documents_of(content_service.url, batch)
    assert sorted(d["kind"] for d in documents) == ["extracted_text", "raw_file"]
    (extracted,) = [d for d in documents if d["kind"] == "extracted_text"]
    assert extracted["id"] == text_document  # the repeat got the first attempt's document
    assert extracted["content_id"] == final["text_content_id"]
    assert {d["metadata"]["file_id"] for d in documents} == {str(uuid.UUID(file_id))}


# --------------------------------------------------------------------------- (d) giving up


async def test_a_job_that_keeps_failing_rejects_its_file_instead_of_leaving_it_processing(
    make_migrated_database,
):
    """content_service answers nonsense (200, not JSON): every attempt fails; after the last
    one the file is rejected with processing_failed and essay_lifecycle is told."""
    batch = new_batch()
    database_url = await make_migrated_database("file_service")
    async with (
        serving(Receiver(reply="this is not json")) as content,
        serving(Receiver()) as els,
    ):
        settings = fast_settings(
            database_url, content_service_url=content.url, essay_lifecycle_url=els.url
        )
        async with running_app(settings) as app:
            client = app.test_client()
            response = await client.post(
                f"/v1/batches/{batch}/files", files=multipart(("essay.txt", ENGLISH.encode()))
            )
            file_id = (await response.get_json())["files"][0]["file_id"]
            await eventually(lambda: all_delivered(database_url, batch, 1), 30)
            final = await (await client.get(f"/v1/files/{file_id}")).get_json()

    assert (final["status"], final["error_code"]) == ("rejected", "processing_failed")
    assert final["error_message"]
    jobs = await fetch(database_url, "SELECT attempts FROM jobs")
    assert [j["attempts"] for j in jobs] == [5]  # every attempt was made before giving up
    assert len([r for r in content.received if r.path == "/v1/content"]) == 5
    (told,) = els.received
    assert told.body["error_code"] == "processing_failed"
    assert told.idempotency_key == f"file:{file_id}:v1"
    staged = await fetch(database_url, "SELECT staged_bytes FROM file_versions")
    assert [s["staged_bytes"] for s in staged] == [None]
