"""A zip archive uploaded through the real app on PostgreSQL: each member its own outcome."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from quart import Quart

from service_kit.testing.receiver import Receiver, serving
from services.file_service.tests.fakes import content_answer
from services.file_service.tests.integration.helpers import (
    PROBLEM,
    eventually,
    fast_settings,
    multipart,
    new_batch,
    running_app,
)
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import uploads

MAX_FILE = 64 * 1024
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
        max_files_per_request=2,  # parts: an archive is one, however many members it has
    )
    async with running_app(settings) as app:
        yield app


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three files a transaction, so these small archives span several chunks."""
    monkeypatch.setattr(uploads, "UPLOAD_CHUNK", 3)


def archive(*members: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def link(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    entry.create_system = 3
    entry.external_attr = (stat.S_IFLNK | 0o777) << 16
    return entry


async def test_an_archive_gives_each_member_its_outcome_and_processes_the_good_ones(app, els):
    client = app.test_client()
    batch = new_batch()
    zipped = archive(
        ("class/", b""),
        ("class/a/uppsats.txt", ESSAY),
        ("class/b/uppsats.txt", ESSAY + b" Andra versionen."),
        ("__MACOSX/class/._uppsats.txt", b"\x00\x05\x16\x07"),
        ("class/.DS_Store", b"Bud1"),
        ("../escape.txt", ESSAY),
        (link("class/link.txt"), b"/etc/passwd"),
        ("class/inner.zip", archive(("x.txt", ESSAY))),
        ("class/huge.txt", b"a" * (MAX_FILE + 1)),
        ("class/picture.txt", sf.make_png()),
        ("class/empty.txt", b""),
        ("class/uppsats.docx", sf.make_docx(sf.ESSAY_PARAGRAPHS)),
    )
    response = await client.post(
        f"/v1/batches/{batch}/files",
        files=multipart(("class.zip", zipped), ("loose.txt", ESSAY)),
    )
    assert response.status_code == 202, await response.get_data()
    files = (await response.get_json())["files"]
    assert [(f["filename"], f["status"], f["error_code"]) for f in files] == [
        ("uppsats.txt", "processing", None),
        ("uppsats (2).txt", "processing", None),
        ("escape.txt", "rejected", "archive_path_unsafe"),
        ("link.txt", "rejected", "archive_member_link"),
        ("inner.zip", "rejected", "archive_nested"),
        ("huge.txt", "rejected", "archive_member_too_large"),
        ("picture.txt", "rejected", "unsupported_type"),
        ("empty.txt", "rejected", "empty_file"),
        ("uppsats.docx", "processing", None),
        ("loose.txt", "processing", None),
    ]
    assert all(f["error_message"] for f in files if f["status"] == "rejected")

    accepted = {f["file_id"] for f in files if f["status"] == "processing"}
    for file_id in accepted:

        async def ready(file_id: str = file_id) -> dict | None:
            body = await (await client.get(f"/v1/files/{file_id}")).get_json()
            return body if body["status"] == "ready" else None

        done = await eventually(ready)
        assert done["text_content_id"] == CONTENT_ID
    huge = next(f for f in files if f["filename"] == "huge.txt")
    assert (await (await client.get(f"/v1/files/{huge['file_id']}")).get_json())[
        "size"
    ] == MAX_FILE + 1

    # essay_lifecycle hears of every member once, as if each had been uploaded alone
    async def all_told() -> list | None:
        told = [r for r in els.received if f"/batches/{batch}/" in r.path]
        return told if len(told) >= len(files) else None

    told = {r.idempotency_key: r.body for r in await eventually(all_told)}
    assert set(told) == {f"file:{f['file_id']}:v1" for f in files}
    for f in files:
        assert told[f"file:{f['file_id']}:v1"].get("error_code") == f["error_code"]


async def test_refusals_before_the_first_good_member_are_stored_with_it(app):
    client = app.test_client()
    batch = new_batch()
    bad = [(f"bad{i}.txt", sf.make_png()) for i in range(7)]  # more than two chunks
    response = await client.post(
        f"/v1/batches/{batch}/files", files=multipart(("c.zip", archive(*bad, ("ok.txt", ESSAY))))
    )
    assert response.status_code == 202, await response.get_data()
    files = (await response.get_json())["files"]
    assert [f["status"] for f in files] == ["rejected"] * 7 + ["processing"]
    listed = await (await client.get(f"/v1/batches/{batch}/files")).get_json()
    assert len(listed["items"]) == 8


async def test_an_archive_with_nothing_acceptable_is_refused_and_stores_nothing(app, els):
    client = app.test_client()
    batch = new_batch()
    zipped = archive(*[(f"p{i}.txt", sf.make_png()) for i in range(5)], ("x.7z", b"7z"))
    response = await client.post(f"/v1/batches/{batch}/files", files=multipart(("c.zip", zipped)))
    assert response.status_code == 422, await response.get_data()
    assert response.headers["Content-Type"] == PROBLEM
    body = await response.get_json()
    assert [f["error_code"] for f in body["files"]] == ["unsupported_type"] * 5 + ["archive_nested"]
    listed = await (await client.get(f"/v1/batches/{batch}/files")).get_json()
    assert listed["items"] == []
    assert not [r for r in els.received if f"/batches/{batch}/" in r.path]


async def test_a_corrupt_archive_is_a_clear_outcome(app):
    client = app.test_client()
    batch = new_batch()
    broken = archive(("a.txt", ESSAY), ("b.txt", ESSAY))[:60]
    response = await client.post(
        f"/v1/batches/{batch}/files",
        files=multipart(("class.zip", broken), ("loose.txt", ESSAY)),
    )
    assert response.status_code == 202, await response.get_data()
    files = (await response.get_json())["files"]
    assert [(f["filename"], f["error_code"]) for f in files] == [
        ("class.zip", "archive_corrupt"),
        ("loose.txt", None),
    ]


async def test_a_docx_is_still_one_file_not_an_archive(app):
    client = app.test_client()
    response = await client.post(
        f"/v1/batches/{new_batch()}/files",
        files=multipart(("uppsats.docx", sf.make_docx(sf.ESSAY_PARAGRAPHS))),
    )
    assert response.status_code == 202, await response.get_data()
    (only,) = (await response.get_json())["files"]
    assert (only["filename"], only["status"]) == ("uppsats.docx", "processing")
