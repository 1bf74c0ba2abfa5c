"""The web app's pages 2-6 and the essay page through the real gateway app on real PostgreSQL,
the six services faked (tests/web_fakes.py): each page reaches them through the gateway's
forwarding, so a stranger's batch is the 404 page."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from quart import Quart

from services.api_gateway.tests.fakes import CHEAP_ARGON2
from services.api_gateway.tests.integration.edge_helpers import add_judge, gateway_app
from services.api_gateway.tests.integration.helpers import PASSWORD, make_user
from services.api_gateway.tests.web_fakes import WebServices

HTML = "text/html; charset=utf-8"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    return await make_migrated_database("api_gateway")


@pytest.fixture
def services() -> WebServices:
    return WebServices()


@pytest_asyncio.fixture
async def app(database_url: str, services: WebServices) -> AsyncIterator[Quart]:
    app = gateway_app(database_url, services, **CHEAP_ARGON2)
    async with app.test_app():
        yield app


class Browser:
    """A test client signed in through the sign-in page, holding the CSRF token it shows."""

    def __init__(self, client: Any, user_id: uuid.UUID) -> None:
        self.client = client
        self.user_id = user_id
        self.csrf = ""

    async def get(self, path: str, **kw: Any) -> tuple[int, str, Any]:
        answer = await self.client.get(path, **kw)
        body = await answer.get_data(as_text=True)
        found = re.search(r'<meta name="csrf-token" content="([^"]*)"', body)
        if found:
            self.csrf = found.group(1)
        return answer.status_code, body, answer

    async def post(self, path: str, form: dict[str, str], csrf: bool = True) -> Any:
        data = {**form, **({"csrf_token": self.csrf} if csrf else {})}
        return await self.client.post(path, form=data)


async def browser(app: Quart) -> Browser:
    user = await make_user(app)
    client = app.test_client()
    answer = await client.post("/sign-in", form={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 303
    b = Browser(client, user.id)
    await b.get("/batches")
    return b


def assert_clean(body: str) -> None:
    assert not INLINE_SCRIPT.search(body), "inline script"
    assert not INLINE_HANDLER.search(body), "inline event handler"
    assert "<style" not in body and ' style="' not in body


async def test_batches_are_mine_only_and_paginated(app: Quart, services: WebServices) -> None:
    me = await browser(app)
    other = await make_user(app)
    services.add_batch(other.id, name="Not mine")
    for i in range(25):
        services.add_batch(me.user_id, name=f"Mine {i:02d}")
    status, body, _ = await me.get("/batches")
    assert status == 200
    assert "Mine 00" in body and "Mine 19" in body and "Mine 20" not in body
    assert "Not mine" not in body
    found = re.search(r'href="/batches\?cursor=([^"]+)" rel="next"', body)
    assert found is not None
    status, body, _ = await me.get(f"/batches?cursor={found.group(1)}")
    assert "Mine 20" in body and "Mine 24" in body and "Mine 00" not in body


async def test_a_strangers_batch_pages_are_the_404_page(app: Quart, services: WebServices) -> None:
    me = await browser(app)
    other = await make_user(app)
    theirs = services.add_batch(other.id)
    services.add_file(theirs, "a.txt")
    [essay] = services.finish(theirs)
    missing = uuid.uuid4().hex
    for path in ("upload", "progress", "progress/panel", "results", "results.csv"):
        status, body, answer = await me.get(f"/batches/{theirs}/{path}")
        assert status == 404 and answer.headers["Content-Type"] == HTML, path
        status_missing, body_missing, _ = await me.get(f"/batches/{missing}/{path}")
        assert status_missing == 404
        assert body.replace(theirs, "") == body_missing.replace(missing, "")  # the same page
    status, _, _ = await me.get(f"/essays/{essay}")
    assert status == 404
    refused = await me.post(f"/batches/{theirs}/start", {})
    assert refused.status_code == 404
    assert not [s for s in services.seen if s[0] == "POST" and "/pipeline" in s[1]]


async def test_new_batch_errors_keep_input_and_sit_beside_fields(
    app: Quart, services: WebServices
) -> None:
    me = await browser(app)
    status, body, _ = await me.get("/batches/new")
    form_id = re.search(r'name="form_id" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    form = {
        "form_id": form_id,
        "name": "",
        "language": "sv",
        "run": "full",
        "judge": "human",
        "min_comparisons": "5",
        "max_comparisons": "many",
        "target_reliability": "0.8",
        "grade_scale": "F, E, C, A",
        "instructions": "Content first",
        "anchor_grade_0": "A",
        "anchor_text_0": "",
    }
    # the form's own check: a number that is not one, an anchor without text
    answer = await me.post("/batches/new", form)
    assert answer.status_code == 422
    body = await answer.get_data(as_text=True)
    assert 'id="e-max_comparisons"' in body and 'value="many"' in body
    assert 'id="e-anchor_text_0"' in body and 'value="F, E, C, A"' in body
    assert ">Content first</textarea>" in body
    assert not [s for s in services.seen if s[0] == "POST"]
    # the service's refusal (problem+json errors[].loc) -> beside the field
    form.update(max_comparisons="20", anchor_text_0="An anchor text.", target_reliability="1.5")
    answer = await me.post("/batches/new", form)
    body = await answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="e-name"' in body and 'id="e-target_reliability"' in body
    assert 'value="1.5"' in body and 'id="f-language-sv" name="language" value="sv" checked' in body


async def test_new_batch_is_created_once_however_often_the_form_is_sent(
    app: Quart, services: WebServices
) -> None:
    me = await browser(app)
    _, body, _ = await me.get("/batches/new")
    form_id = re.search(r'name="form_id" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    form = {"form_id": form_id, "name": "Year 8", "language": "en", "run": "spellcheck"}
    first = await me.post("/batches/new", form)
    second = await me.post("/batches/new", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"].endswith("/upload")
    assert len([s for s in services.seen if s[0] == "POST" and s[1].endswith("/v1/batches")]) == 1
    status, body, _ = await me.get(first.headers["Location"])
    assert status == 200 and "Year 8" in body


async def test_every_form_needs_its_csrf_field(app: Quart, services: WebServices) -> None:
    me = await browser(app)
    batch = services.add_batch(me.user_id)
    for path in (
        "/batches/new",
        f"/batches/{batch}/start",
        f"/batches/{batch}/phases/spellcheck/retry",
        "/sign-out",
    ):
        answer = await me.post(path, {"name": "x", "language": "en"}, csrf=False)
        assert answer.status_code == 403, path
        wrong = await me.client.post(path, form={"csrf_token": "forged"})
        assert wrong.status_code == 403, path
    assert not [s for s in services.seen if s[0] == "POST"]


async def test_upload_page_and_start_following_files_processing(
    app: Quart, services: WebServices
) -> None:
    me = await browser(app)
    batch = services.add_batch(me.user_id)
    services.add_file(batch, "good.txt")
    services.add_file(batch, "broken.bin", status="rejected")
    status, body, _ = await me.get(f"/batches/{batch}/upload")
    assert status == 200
    assert "good.txt" in body and "broken.bin" in body
    assert "the file is not a document we can read" in body
    assert 'id="start-form"' in body and 'data-batch="' + batch + '"' in body
    services.processing_answers = 1
    answer = await me.post(f"/batches/{batch}/start", {})
    assert answer.status_code == 409 and answer.headers["Retry-After"] == "2"
    assert "still being read" in await answer.get_data(as_text=True)
    answer = await me.post(f"/batches/{batch}/start", {})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/progress")
    again = await me.post(f"/batches/{batch}/start", {})  # a second click: no error
    assert again.status_code == 303


async def test_uploads_go_through_the_forwarded_api_with_the_session(
    app: Quart, services: WebServices
) -> None:
    """What app.js does for each dropped file: POST it to the forwarded route with the CSRF
    token of the page."""
    me = await browser(app)
    batch = services.add_batch(me.user_id)
    for name in ("one.txt", "two.txt", "three.bin"):
        answer = await me.client.post(
            f"/v1/batches/{batch}/files",
            files={"file": (io.BytesIO(b"An essay."), name)} if False else None,
            data=_multipart(name),
            headers={
                "X-CSRF-Token": me.csrf,
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )
        assert answer.status_code == 202, await answer.get_data(as_text=True)
    _, body, _ = await me.get(f"/batches/{batch}/upload")
    assert "one.txt" in body and "two.txt" in body and "three.bin" in body
    refused = await me.client.post(
        f"/v1/batches/{batch}/files",
        data=_multipart("x.txt"),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert refused.status_code == 403


BOUNDARY = "web-test-boundary"


def _multipart(name: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\nAn essay.\r\n--{BOUNDARY}--\r\n"
    ).encode()


async def test_progress_page_and_its_live_panel(app: Quart, services: WebServices) -> None:
    me = await browser(app)
    batch = services.add_batch(me.user_id)
    services.add_file(batch, "a.txt")
    services.finish(batch)
    status, body, _ = await me.get(f"/batches/{batch}/progress")
    assert status == 200
    assert 'data-panel="/batches/' + batch + '/progress/panel"' in body
    assert "0.86" in body and "40 comparisons" in body
    status, panel, _ = await me.get(f"/batches/{batch}/progress/panel")
    assert status == 200 and panel.lstrip().startswith('<div class="panel" data-finished="true"')
    assert "<html" not in panel


async def test_results_page_table_scale_and_csv(app: Quart, services: WebServices) -> None:
    me = await browser(app)
    batch = services.add_batch(me.user_id)
    services.add_file(batch, "alice.txt")
    services.add_file(batch, "bob.txt")
    services.add_file(batch, "broken.bin", status="rejected")
    essays = services.finish(batch)
    status, body, _ = await me.get(f"/batches/{batch}/results")
    assert status == 200
    assert "alice.txt" in body and "bob.txt" in body
    assert "broken.bin" in body and "not a document we can read" in body
    assert "0.86" in body and "good enough for grading" in body
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert svg.count("<circle") == len(essays)  # each essay a point
    assert svg.count("rotate(45") == 1  # the anchor
    assert svg.count("<rect") >= 3 + 1  # three grade bands (and the anchor)
    assert "70 %" in body  # the grade's probability
    answer = await me.client.get(f"/batches/{batch}/results.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await answer.get_data(as_text=True))))
    assert sorted(r["filename"] for r in rows) == ["alice.txt", "bob.txt"]


async def test_essay_page_highlights_corrections(app: Quart, services: WebServices) -> None:
    me = await browser(app)
    batch = services.add_batch(me.user_id)
    services.add_file(batch, "alice.txt")
    [essay] = services.finish(batch)
    status, body, _ = await me.get(f"/essays/{essay}")
    assert status == 200
    assert "<del>Teh</del> → <ins>The</ins>" in body and "<del>teh</del> → <ins>the</ins>" in body
    assert " cat sat on " in body and "7 comparisons" in body
    assert "essay.ready" in body


async def test_every_page_renders_in_both_languages_without_inline_script(
    app: Quart, services: WebServices
) -> None:
    me = await browser(app)
    batch = services.add_batch(me.user_id)
    services.add_file(batch, "alice.txt")
    [essay] = services.finish(batch)
    pages = [
        "/batches",
        "/batches/new",
        f"/batches/{batch}/upload",
        f"/batches/{batch}/progress",
        f"/batches/{batch}/results",
        f"/essays/{essay}",
        "/no/such/page",
    ]
    words = {"en": "Sign out", "sv": "Logga ut"}
    for lang, word in words.items():
        await me.client.get(f"/language/{lang}")
        for path in pages:
            status, body, answer = await me.get(path, headers={"Accept": "text/html"})
            assert status in (200, 404), path
            assert f'<html lang="{lang}">' in body and word in body, (lang, path)
            assert answer.headers["Content-Language"] == lang
            assert_clean(body)
            shown = re.sub(r'data-msg-[a-z-]+="[^"]*"', "", body)  # app.js fills these in
            assert "{" not in shown, path  # no message left unformatted


async def test_a_judge_session_has_no_teacher_pages(
    app: Quart, services: WebServices, database_url: str
) -> None:
    owner = await make_user(app)
    batch = services.add_batch(owner.id)
    judge = await add_judge(database_url, batch)
    client = app.test_client()
    answer = await client.get("/batches", headers={"Cookie": judge.headers["Cookie"]})
    assert answer.status_code == 403
    answer = await client.get(
        f"/batches/{batch}/results", headers={"Cookie": judge.headers["Cookie"]}
    )
    assert answer.status_code == 403


async def test_without_a_session_a_page_sends_you_to_sign_in(app: Quart) -> None:
    answer = await app.test_client().get("/batches/abc/results?x=1")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/sign-in?next=/batches/abc/results")
