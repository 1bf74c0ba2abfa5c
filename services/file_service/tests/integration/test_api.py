"""file_service's HTTP API against a real PostgreSQL, its peers played by recording receivers.

The app runs with ``test_app()``, so its job workers and outbox relay run too: the
content_service receiver answers every call with one fixed content id, the essay_lifecycle
receiver records what file_service tells it.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from quart import Quart

from service_kit.testing.receiver import Receiver, serving
from services.file_service.extraction import count_words
from services.file_service.tests.fakes import content_answer, gate_answer
from services.file_service.tests.integration.helpers import (
    PROBLEM,
    eventually,
    fast_settings,
    fetch,
    multipart,
    new_batch,
    running_app,
)
from services.file_service.tests.unit import sample_files as sf

MAX_FILE = 64 * 1024
MAX_FILES = 8
CONTENT_ID = "c" * 64
ESSAY = sf.SWEDISH_TEXT.encode()


@pytest_asyncio.fixture(scope="module")
async def els() -> AsyncIterator[Receiver]:
    async with serving(Receiver()) as receiver:
        yield receiver


@pytest_asyncio.fixture(scope="module")
async def content() -> AsyncIterator[Receiver]:
    async with serving(Receiver(reply=content_answer(CONTENT_ID))) as receiver:
        yield receiver


@pytest_asyncio.fixture(scope="module")
async def app(database_url: str, els: Receiver, content: Receiver) -> AsyncIterator[Quart]:
    settings = fast_settings(
        database_url,
        content_service_url=content.url,
        essay_lifecycle_url=els.url,
        max_file_bytes=MAX_FILE,
        max_files_per_request=MAX_FILES,
    )
    async with running_app(settings) as app:
        yield app


async def expect_problem(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, await response.get_data())
    assert response.headers["Content-Type"] == PROBLEM
    body = await response.get_json()
    assert body["status"] == status
    assert body["title"] and body["correlation_id"]
    return body


async def upload(client, batch: str, *files: tuple[str, bytes]):
    return await client.post(f"/v1/batches/{batch}/files", files=multipart(*files))


async def listed(client, batch: str, **query: Any) -> dict[str, Any]:
    response = await client.get(f"/v1/batches/{batch}/files", query_string=query)
    assert response.status_code == 200, await response.get_data()
    return await response.get_json()


async def settled(client, file_id: str) -> dict[str, Any]:
    """The file once its current version is no longer processing."""

    async def done() -> dict[str, Any] | None:
        body = await (await client.get(f"/v1/files/{file_id}")).get_json()
        return body if body["status"] != "processing" else None

    return await eventually(done)


def sent_to_els(els: Receiver, batch: str) -> list:
    return [r for r in els.received if f"/batches/{batch}/" in r.path]


# --------------------------------------------------------------------------- uploads


async def test_mixed_good_and_bad_files_are_accepted_with_per_file_statuses(app, els):
    client = app.test_client()
    batch = new_batch()
    response = await upload(
        client,
        batch,
        ("uppsats.txt", ESSAY),
        ("~$uppsats.docx", b"owner lock"),
        ("empty.txt", b""),
        ("picture.txt", sf.make_png()),
    )
    assert response.status_code == 202, await response.get_data()
    body = await response.get_json()
    assert body["batch_id"] == batch
    files = body["files"]
    assert [(f["filename"], f["status"], f["error_code"]) for f in files] == [
        ("uppsats.txt", "processing", None),
        ("~$uppsats.docx", "rejected", "lock_file"),
        ("empty.txt", "rejected", "empty_file"),
        ("picture.txt", "rejected", "unsupported_type"),
    ]
    assert all(f["error_message"] for f in files[1:])
    assert len({f["file_id"] for f in files}) == 4

    good = await settled(client, files[0]["file_id"])
    assert good["status"] == "ready"
    assert good["text_content_id"] == good["raw_content_id"] == CONTENT_ID
    assert good["kind"] == "txt"
    assert good["char_count"] == len(sf.SWEDISH_TEXT)
    assert good["sha256"] == hashlib.sha256(ESSAY).hexdigest()

    # essay_lifecycle hears of every file once: three rejections and one ready essay
    await eventually(lambda: _count_at_least(sent_to_els(els, batch), 4))
    told = {r.idempotency_key: r for r in sent_to_els(els, batch)}
    assert set(told) == {f"file:{f['file_id']}:v1" for f in files}
    for f in files:
        call = told[f"file:{f['file_id']}:v1"]
        assert call.method == "POST"
        assert call.path == f"/internal/v1/batches/{batch}/essays"
        assert call.body["file_id"] == f["file_id"]
        assert call.body.get("error_code") == f["error_code"]
    assert told[f"file:{files[0]['file_id']}:v1"].body["text_content_id"] == CONTENT_ID


async def _count_at_least(items: list, count: int) -> bool:
    return len(items) >= count


@pytest.mark.parametrize(
    ("filename", "data", "status", "code"),
    [
        ("empty.txt", b"", 422, "empty_file"),
        ("~$essay.docx", sf.make_docx(sf.ESSAY_PARAGRAPHS), 422, "lock_file"),
        (".~lock.essay.odt#", b"lock", 422, "lock_file"),
        ("essay.txt", sf.make_png(), 415, "unsupported_type"),
        ("essay.doc", sf.make_ole_doc(), 415, "unsupported_type"),
        ("essay.txt", b"a" * (MAX_FILE + 1), 413, "file_too_large"),
        ("essay.docx", sf.make_corrupt_docx(), 422, "corrupt_document"),
    ],
    ids=["empty", "lock", "odt-lock", "png-as-txt", "legacy-doc", "oversize", "corrupt-zip"],
)
async def test_a_request_whose_only_file_is_refused_is_a_problem(
    app, els, filename, data, status, code
):
    client = app.test_client()
    batch = new_batch()
    body = await expect_problem(await upload(client, batch, (filename, data)), status)
    assert len(body["files"]) == 1
    (refused,) = body["files"]
    assert refused["filename"] == filename
    assert refused["error_code"] == code
    assert refused["error_message"]
    assert (await listed(client, batch, include_deleted="true"))["items"] == []
    assert sent_to_els(els, batch) == []


async def test_several_refusals_of_different_kinds_are_422_with_each_reason(app):
    client = app.test_client()
    batch = new_batch()
    body = await expect_problem(
        await upload(client, batch, ("big.txt", b"a" * (MAX_FILE + 1)), ("p.txt", sf.make_png())),
        422,
    )
    assert [(f["filename"], f["error_code"]) for f in body["files"]] == [
        ("big.txt", "file_too_large"),
        ("p.txt", "unsupported_type"),
    ]
    assert (await listed(client, batch))["items"] == []


async def test_all_files_too_large_is_413(app):
    client = app.test_client()
    batch = new_batch()
    body = await expect_problem(
        await upload(client, batch, ("a.txt", b"a" * (MAX_FILE + 1)), ("b.txt", b"b" * 2**17)),
        413,
    )
    assert {f["error_code"] for f in body["files"]} == {"file_too_large"}


async def test_bodies_that_are_not_file_uploads_are_422(app):
    client = app.test_client()
    batch = new_batch()
    url = f"/v1/batches/{batch}/files"
    await expect_problem(await client.post(url, json={"files": ["essay.txt"]}), 422)
    await expect_problem(
        await client.post(url, data=ESSAY, headers={"Content-Type": "text/plain"}), 422
    )
    await expect_problem(await client.post(url), 422)
    # multipart, but only a form field and no file
    await expect_problem(await client.post(url, files={}, form={"note": "forgot the file"}), 422)
    too_many = [(f"e{i}.txt", ESSAY) for i in range(MAX_FILES + 1)]
    await expect_problem(await upload(client, batch, *too_many), 422)
    await expect_problem(await upload(client, "b" * 65, ("e.txt", ESSAY)), 422)
    assert (await listed(client, batch, include_deleted="true"))["items"] == []


# --------------------------------------------------------------------------- reading


async def test_get_a_file(app):
    client = app.test_client()
    batch = new_batch()
    made = await (await upload(client, batch, ("uppsats.txt", ESSAY))).get_json()
    file_id = made["files"][0]["file_id"]
    got = await client.get(f"/v1/files/{file_id}")
    assert got.status_code == 200
    body = await got.get_json()
    assert body["file_id"] == file_id
    assert body["batch_id"] == batch
    assert body["version"] == 1
    assert body["filename"] == "uppsats.txt"
    assert body["size"] == len(ESSAY)
    assert body["sha256"] == hashlib.sha256(ESSAY).hexdigest()
    assert body["kind"] == "txt"
    assert body["status"] in {"processing", "ready"}
    assert body["deleted_at"] is None
    assert body["created_at"] and body["updated_at"]
    ready = await settled(client, file_id)
    assert ready["status"] == "ready"
    assert ready["word_count"] == count_words(sf.SWEDISH_TEXT)
    assert ready["processed_at"] is not None


async def test_unknown_files_are_404_problems(app):
    client = app.test_client()
    missing = uuid.uuid4()
    await expect_problem(await client.get(f"/v1/files/{missing}"), 404)
    await expect_problem(await client.get(f"/v1/files/{missing}/versions"), 404)
    await expect_problem(await client.delete(f"/v1/files/{missing}"), 404)
    await expect_problem(
        await client.put(f"/v1/files/{missing}", files=multipart(("e.txt", ESSAY))), 404
    )
    await expect_problem(await client.get("/v1/files/not-a-uuid"), 404)


async def test_listing_pages_through_a_batch_with_a_cursor(app):
    client = app.test_client()
    batch = new_batch()
    made = await (
        await upload(client, batch, *((f"essay-{i}.txt", ESSAY) for i in range(5)))
    ).get_json()
    await upload(client, new_batch(), ("elsewhere.txt", ESSAY))  # another batch: never listed
    uploaded = [f["file_id"] for f in made["files"]]

    seen: list[str] = []
    pages = 0
    query: dict[str, Any] = {"limit": 2}
    while True:
        page = await listed(client, batch, **query)
        pages += 1
        assert len(page["items"]) <= 2
        assert all(item["batch_id"] == batch for item in page["items"])
        seen += [item["file_id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        query = {"limit": 2, "cursor": page["next_cursor"]}
    assert pages == 3
    assert seen == uploaded  # oldest first, each once
    assert len((await listed(client, batch))["items"]) == 5


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "!!! not a cursor !!!"},
        {"cursor": base64.urlsafe_b64encode(b'["only one"]').decode()},
        {"cursor": base64.urlsafe_b64encode(b'["yesterday", "not-a-uuid"]').decode()},
        {"limit": 0},
        {"limit": 501},
        {"limit": "many"},
    ],
    ids=["garbage", "wrong-arity", "wrong-values", "zero", "too-big", "not-a-number"],
)
async def test_bad_list_queries_are_422(app, query):
    client = app.test_client()
    response = await client.get(f"/v1/batches/{new_batch()}/files", query_string=query)
    await expect_problem(response, 422)


# --------------------------------------------------------------------------- replace, delete


async def test_replace_makes_a_new_version(app, els):
    client = app.test_client()
    batch = new_batch()
    made = await (await upload(client, batch, ("uppsats.txt", ESSAY))).get_json()
    file_id = made["files"][0]["file_id"]
    await settled(client, file_id)

    new_bytes = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    replaced = await client.put(f"/v1/files/{file_id}", files=multipart(("v2.docx", new_bytes)))
    assert replaced.status_code == 202, await replaced.get_data()
    body = await replaced.get_json()
    assert (body["file_id"], body["version"], body["filename"]) == (file_id, 2, "v2.docx")
    assert body["status"] == "processing"
    assert body["kind"] == "docx"

    current = await settled(client, file_id)
    assert (current["version"], current["status"], current["kind"]) == (2, "ready", "docx")

    versions = await (await client.get(f"/v1/files/{file_id}/versions")).get_json()
    assert versions["file_id"] == file_id
    assert [(v["version"], v["filename"], v["status"]) for v in versions["versions"]] == [
        (1, "uppsats.txt", "ready"),
        (2, "v2.docx", "ready"),
    ]
    assert versions["versions"][1]["sha256"] == hashlib.sha256(new_bytes).hexdigest()

    # a refused replacement and a two-file PUT leave the versions alone
    await expect_problem(
        await client.put(f"/v1/files/{file_id}", files=multipart(("x.txt", sf.make_png()))), 415
    )
    await expect_problem(
        await client.put(
            f"/v1/files/{file_id}", files=multipart(("a.txt", ESSAY), ("b.txt", ESSAY))
        ),
        422,
    )
    again = await (await client.get(f"/v1/files/{file_id}/versions")).get_json()
    assert len(again["versions"]) == 2

    await eventually(lambda: _count_at_least(sent_to_els(els, batch), 2))
    assert sorted(r.idempotency_key for r in sent_to_els(els, batch)) == [
        f"file:{file_id}:v1",
        f"file:{file_id}:v2",
    ]


async def test_delete_hides_the_file_and_tells_essay_lifecycle(app, els, database_url):
    client = app.test_client()
    batch = new_batch()
    made = await (await upload(client, batch, ("keep.txt", ESSAY), ("drop.txt", ESSAY))).get_json()
    keep, drop = (f["file_id"] for f in made["files"])
    await settled(client, drop)

    deleted = await client.delete(f"/v1/files/{drop}")
    assert deleted.status_code == 204
    assert await deleted.get_data() == b""

    await expect_problem(await client.get(f"/v1/files/{drop}"), 404)
    await expect_problem(await client.get(f"/v1/files/{drop}/versions"), 404)
    await expect_problem(await client.delete(f"/v1/files/{drop}"), 404)
    await expect_problem(
        await client.put(f"/v1/files/{drop}", files=multipart(("again.txt", ESSAY))), 404
    )
    assert [i["file_id"] for i in (await listed(client, batch))["items"]] == [keep]
    everything = (await listed(client, batch, include_deleted="true"))["items"]
    assert [i["file_id"] for i in everything] == [keep, drop]
    assert everything[1]["deleted_at"] is not None and everything[0]["deleted_at"] is None

    # soft: the rows are still there
    rows = await fetch(database_url, "SELECT deleted_at FROM files WHERE id = $1", uuid.UUID(drop))
    assert rows[0]["deleted_at"] is not None

    withdrawal = f"file:{drop}:deleted"
    await eventually(
        lambda: _has_key(sent_to_els(els, batch), withdrawal),
    )
    (call,) = [r for r in sent_to_els(els, batch) if r.idempotency_key == withdrawal]
    assert call.method == "DELETE"
    assert call.path == f"/internal/v1/batches/{batch}/files/{drop}"


async def _has_key(items: list, key: str) -> bool:
    return any(r.idempotency_key == key for r in items)


async def test_a_replacement_that_is_not_a_file_upload_is_422(app):
    client = app.test_client()
    made = await (await upload(client, new_batch(), ("e.txt", ESSAY))).get_json()
    file_id = made["files"][0]["file_id"]
    await expect_problem(await client.put(f"/v1/files/{file_id}", json={"text": "new"}), 422)
    await expect_problem(await client.put(f"/v1/files/{file_id}", files={}, form={"a": "b"}), 422)
    versions = await (await client.get(f"/v1/files/{file_id}/versions")).get_json()
    assert [v["version"] for v in versions["versions"]] == [1]


async def test_client_side_paths_are_stripped_from_filenames(app):
    client = app.test_client()
    made = await (
        await upload(
            client,
            new_batch(),
            ("/home/elev/Documents/uppsats.txt", ESSAY),
            ("home/elev/~$lock.docx", b"lock"),
        )
    ).get_json()
    assert [(f["filename"], f["error_code"]) for f in made["files"]] == [
        ("uppsats.txt", None),
        ("~$lock.docx", "lock_file"),
    ]


# --------------------------------------------------------------------------- apps of their own


@pytest_asyncio.fixture
async def own_database_url(make_migrated_database) -> str:
    """For an app with settings of its own: the module's app must not share its work (its
    jobs and outbox rows, or the NOTIFYs about them)."""
    return await make_migrated_database("file_service")


async def test_a_body_over_the_limit_is_413_and_stores_nothing(own_database_url, els, content):
    settings = fast_settings(
        own_database_url,
        content_service_url=content.url,
        essay_lifecycle_url=els.url,
        max_body_bytes=16 * 1024,
    )
    async with running_app(settings) as small:
        client = small.test_client()
        batch = new_batch()
        await expect_problem(await upload(client, batch, ("e.txt", b"x" * (32 * 1024))), 413)
        assert (await listed(client, batch, include_deleted="true"))["items"] == []


async def test_token_and_correlation_id_travel_to_both_peers(own_database_url, els, content):
    token = "t" * 32
    settings = fast_settings(
        own_database_url,
        content_service_url=content.url,
        essay_lifecycle_url=els.url,
        internal_api_token=token,
    )
    async with running_app(settings) as secured:
        client = secured.test_client()
        batch = new_batch()
        url = f"/v1/batches/{batch}/files"
        await expect_problem(await client.post(url, files=multipart(("e.txt", ESSAY))), 401)
        await expect_problem(
            await client.post(
                url,
                files=multipart(("e.txt", ESSAY)),
                headers={"Authorization": "Bearer wrong"},
            ),
            401,
        )
        headers = {"Authorization": f"Bearer {token}", "X-Correlation-ID": f"corr-{batch}"}
        response = await client.post(
            url, files=multipart(("e.txt", ESSAY), ("~$x.docx", b"x")), headers=headers
        )
        assert response.status_code == 202
        assert response.headers["X-Correlation-ID"] == f"corr-{batch}"
        files = (await response.get_json())["files"]
        await eventually(lambda: _count_at_least(sent_to_els(els, batch), 2))

    to_els = sent_to_els(els, batch)
    assert {r.idempotency_key for r in to_els} == {f"file:{f['file_id']}:v1" for f in files}
    assert {r.authorization for r in to_els} == {f"Bearer {token}"}
    assert {r.correlation_id for r in to_els} == {f"corr-{batch}"}
    # the job's calls to content_service carry them too
    to_content = [r for r in content.received if r.correlation_id == f"corr-{batch}"]
    assert sorted(r.path for r in to_content) == ["/v1/content", "/v1/documents", "/v1/documents"]
    assert {r.authorization for r in to_content} == {f"Bearer {token}"}
    assert {r.idempotency_key for r in to_content if r.path == "/v1/documents"} == {
        f"file:{files[0]['file_id']}:v1:raw",
        f"file:{files[0]['file_id']}:v1:text",
    }


async def test_the_orchestrator_gate_closes_a_started_batch(own_database_url, els, content):
    async with serving(Receiver(reply=gate_answer(True))) as bos:
        settings = fast_settings(
            own_database_url,
            content_service_url=content.url,
            essay_lifecycle_url=els.url,
            batch_orchestrator_url=bos.url,
        )
        async with running_app(settings) as gated:
            client = gated.test_client()
            batch = new_batch()
            await expect_problem(await upload(client, batch, ("e.txt", ESSAY)), 409)
            bos.fail_next = 1  # 503: the orchestrator cannot say
            down = await upload(client, batch, ("e.txt", ESSAY))
            await expect_problem(down, 503)
            assert int(down.headers["Retry-After"]) > 0
            assert (await listed(client, batch, include_deleted="true"))["items"] == []
            bos.reply = gate_answer(False)
            opened = await upload(client, batch, ("e.txt", ESSAY))
            assert opened.status_code == 202
    assert [r.path for r in bos.received] == [f"/internal/v1/batches/{batch}"] * 3


async def test_the_seal_answers_counts_and_refuses_an_overlong_batch_id(app: Quart):
    client = app.test_client()
    empty = await client.post(f"/internal/v1/batches/{uuid.uuid4().hex}/seal")
    assert empty.status_code == 200
    assert await empty.get_json() == {
        "batch_id": (await empty.get_json())["batch_id"],
        "sealed": False,
        "files": 0,
        "processing": 0,
        "ready": 0,
        "rejected": 0,
    }
    too_long = await client.post(f"/internal/v1/batches/{'b' * 65}/seal")
    assert too_long.status_code == 422
    assert too_long.headers["Content-Type"] == "application/problem+json"
