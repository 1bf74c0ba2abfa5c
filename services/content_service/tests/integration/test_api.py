"""content_service's HTTP API against a real PostgreSQL."""

import hashlib
import os
import uuid

from quart import Quart

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> None:
    assert response.status_code == status, response.status_code
    assert response.headers["Content-Type"] == PROBLEM


async def upload(client, data: bytes, content_type: str = "text/plain"):
    return await client.post("/v1/content", data=data, headers={"Content-Type": content_type})


async def test_upload_then_dedup_then_download(app: Quart):
    client = app.test_client()
    data = os.urandom(4096)
    first = await upload(client, data, "application/pdf")
    assert first.status_code == 201
    body = await first.get_json()
    assert body == {
        "content_id": hashlib.sha256(data).hexdigest(),
        "size": 4096,
        "content_type": "application/pdf",
    }
    again = await upload(client, data, "application/pdf")
    assert again.status_code == 200
    assert (await again.get_json())["content_id"] == body["content_id"]

    got = await client.get(f"/v1/content/{body['content_id']}")
    assert got.status_code == 200
    assert await got.get_data() == data
    assert got.headers["Content-Type"] == "application/pdf"
    etag = got.headers["ETag"]
    assert etag == f'"{body["content_id"]}"'

    cached = await client.get(f"/v1/content/{body['content_id']}", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert await cached.get_data() == b""

    head = await client.head(f"/v1/content/{body['content_id']}")
    assert head.status_code == 200
    assert head.headers["ETag"] == etag  # Content-Length over real HTTP: test_http_server


async def test_bad_and_unknown_ids(app: Quart):
    client = app.test_client()
    assert_problem(await client.get("/v1/content/not-a-hash"), 400)
    assert_problem(await client.get(f"/v1/content/{'A' * 64}"), 400)
    assert_problem(await client.get(f"/v1/content/{'0' * 64}"), 404)
    assert_problem(await client.head(f"/v1/content/{'0' * 64}"), 404)


async def test_body_over_the_limit_is_413_and_stores_nothing(app: Quart):
    client = app.test_client()
    data = b"x" * (64 * 1024 + 1)
    assert_problem(await upload(client, data), 413)
    missing = await client.get(f"/v1/content/{hashlib.sha256(data).hexdigest()}")
    assert missing.status_code == 404


async def test_document_crud(app: Quart):
    client = app.test_client()
    batch, essay = uuid.uuid4().hex, uuid.uuid4().hex
    blob = await (await upload(client, "Björnen sover i idet.".encode())).get_json()
    created = await client.post(
        "/v1/documents",
        json={
            "kind": "extracted_text",
            "content_id": blob["content_id"],
            "batch_id": batch,
            "essay_id": essay,
            "filename": "björn.txt",
            "metadata": {"pages": 1},
        },
    )
    assert created.status_code == 201
    document = await created.get_json()
    assert created.headers["ETag"] == '"1"'
    assert document["size"] == blob["size"]
    assert document["sha256"] == blob["content_id"]
    assert document["content_type"] == "text/plain"

    fetched = await client.get(f"/v1/documents/{document['id']}")
    assert (await fetched.get_json())["filename"] == "björn.txt"

    no_precondition = await client.patch(
        f"/v1/documents/{document['id']}", json={"filename": "x.txt"}
    )
    assert_problem(no_precondition, 428)
    patched = await client.patch(
        f"/v1/documents/{document['id']}",
        json={"filename": "renamed.txt", "metadata": {"pages": 2}},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200
    body = await patched.get_json()
    assert (body["version"], body["filename"], body["metadata"]) == (2, "renamed.txt", {"pages": 2})
    stale = await client.patch(
        f"/v1/documents/{document['id']}", json={"filename": "late.txt"}, headers={"If-Match": "1"}
    )
    assert_problem(stale, 412)

    deleted = await client.delete(f"/v1/documents/{document['id']}")
    assert deleted.status_code == 204
    assert_problem(await client.get(f"/v1/documents/{document['id']}"), 404)
    listed = await (await client.get(f"/v1/documents?batch_id={batch}")).get_json()
    assert listed["items"] == []
    with_deleted = await (
        await client.get(f"/v1/documents?batch_id={batch}&include_deleted=true")
    ).get_json()
    assert [d["id"] for d in with_deleted["items"]] == [document["id"]]
    assert with_deleted["items"][0]["deleted_at"] is not None


async def test_inline_text_document_and_bad_documents(app: Quart):
    client = app.test_client()
    made = await client.post("/v1/documents", json={"kind": "prompt", "text": "Beskriv en sjö."})
    assert made.status_code == 201
    document = await made.get_json()
    text = await (await client.get(f"/v1/content/{document['content_id']}")).get_data()
    assert text.decode() == "Beskriv en sjö."

    unknown = await client.post("/v1/documents", json={"kind": "prompt", "content_id": "a" * 64})
    assert_problem(unknown, 422)
    both = await client.post(
        "/v1/documents", json={"kind": "prompt", "content_id": "a" * 64, "text": "x"}
    )
    assert_problem(both, 422)
    bad_kind = await client.post("/v1/documents", json={"kind": "essay", "text": "x"})
    assert_problem(bad_kind, 422)
    assert (await bad_kind.get_json())["errors"][0]["loc"] == ["kind"]
    bad_patch = await client.patch(
        f"/v1/documents/{document['id']}",
        json={"content_id": "b" * 64},
        headers={"If-Match": '"1"'},
    )
    assert_problem(bad_patch, 422)
    assert_problem(await client.get(f"/v1/documents/{uuid.uuid4()}"), 404)


async def test_list_pages_with_an_opaque_cursor(app: Quart):
    client = app.test_client()
    batch = uuid.uuid4().hex
    ids = []
    for i in range(7):
        response = await client.post(
            "/v1/documents",
            json={"kind": "extracted_text", "text": f"essay {i}", "batch_id": batch},
        )
        ids.append((await response.get_json())["id"])
    await client.post("/v1/documents", json={"kind": "rubric", "text": "r", "batch_id": batch})

    seen, cursor = [], None
    while True:
        url = f"/v1/documents?batch_id={batch}&kind=extracted_text&limit=3"
        page = await (await client.get(url + (f"&cursor={cursor}" if cursor else ""))).get_json()
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert_problem(await client.get("/v1/documents?cursor=garbage"), 422)
    assert_problem(await client.get("/v1/documents?limit=0"), 422)
    assert_problem(await client.get("/v1/documents?kind=essay"), 422)


async def test_metrics_show_the_work(app: Quart):
    client = app.test_client()
    await upload(client, os.urandom(100))
    text = await (await client.get("/metrics")).get_data(as_text=True)
    assert "content_bytes_stored_total" in text
    assert "content_dedup_hits_total" in text
    assert 'content_documents_created_total{kind="prompt"}' in text
    assert 'db_queries_total{operation="INSERT",outcome="ok"}' in text
    assert 'http_request_db_seconds_count{method="POST",route="/v1/content"}' in text
    ready = await client.get("/readyz")
    assert ready.status_code == 200


async def test_document_creation_with_an_idempotency_key_happens_once(app: Quart):
    client = app.test_client()
    batch = uuid.uuid4().hex
    body = {"kind": "extracted_text", "text": "Min uppsats om fjällen.", "batch_id": batch}
    key = {"Idempotency-Key": f"file:{batch}:v1:text"}
    first = await client.post("/v1/documents", json=body, headers=key)
    again = await client.post("/v1/documents", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert (await first.get_json())["id"] == (await again.get_json())["id"]
    listed = await (await client.get(f"/v1/documents?batch_id={batch}")).get_json()
    assert len(listed["items"]) == 1
    too_long = await client.post("/v1/documents", json=body, headers={"Idempotency-Key": "k" * 300})
    assert_problem(too_long, 400)
