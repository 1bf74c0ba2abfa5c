"""The web app's sign-in, sign-out, invitation and language pages through the real app on real
PostgreSQL (the services faked)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from quart import Quart

from services.api_gateway.tests.edge_fakes import FakeServices
from services.api_gateway.tests.fakes import CHEAP_ARGON2
from services.api_gateway.tests.integration.edge_helpers import gateway_app
from services.api_gateway.tests.integration.helpers import PASSWORD, make_user

HTML = "text/html; charset=utf-8"


@pytest_asyncio.fixture(scope="module")
async def database_url(make_migrated_database) -> str:
    return await make_migrated_database("api_gateway")


@pytest_asyncio.fixture
async def app(database_url: str) -> AsyncIterator[Quart]:
    app = gateway_app(database_url, FakeServices(), **CHEAP_ARGON2)
    async with app.test_app():
        yield app


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert found is not None
    return found.group(1)


async def test_sign_in_page_renders_in_both_languages(app: Quart) -> None:
    client = app.test_client()
    en = await client.get("/sign-in", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert en.status_code == 200 and en.headers["Content-Type"] == HTML
    assert '<html lang="en">' in await en.get_data(as_text=True)
    sv = await client.get("/sign-in", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})
    body = await sv.get_data(as_text=True)
    assert '<html lang="sv">' in body and "Logga in" in body


async def test_a_wrong_password_keeps_the_email_and_says_so_beside_the_field(app: Quart) -> None:
    user = await make_user(app)
    client = app.test_client()
    answer = await client.post("/sign-in", form={"email": user.email, "password": "nope"})
    assert answer.status_code == 401
    body = await answer.get_data(as_text=True)
    assert f'value="{user.email}"' in body
    assert 'id="e-password"' in body and "wrong" in body
    assert "gw_session" not in answer.headers.get("Set-Cookie", "")


async def test_sign_in_then_pages_then_sign_out_needs_the_csrf_field(app: Quart) -> None:
    user = await make_user(app)
    client = app.test_client()
    answer = await client.post(
        "/sign-in", form={"email": user.email, "password": PASSWORD, "next": "/batches"}
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/batches"
    home = await client.get("/sign-in")
    csrf = csrf_of(await home.get_data(as_text=True))
    assert csrf
    refused = await client.post("/sign-out", form={})
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == HTML
    out = await client.post("/sign-out", form={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["Location"] == "/sign-in"


async def test_an_open_redirect_is_refused(app: Quart) -> None:
    user = await make_user(app)
    client = app.test_client()
    answer = await client.post(
        "/sign-in",
        form={"email": user.email, "password": PASSWORD, "next": "//evil.example/x"},
    )
    assert answer.headers["Location"] == "/batches"


async def test_the_language_switch_sets_a_cookie(app: Quart) -> None:
    client = app.test_client()
    switched = await client.get("/language/sv?next=/sign-in")
    assert switched.status_code == 303 and switched.headers["Location"] == "/sign-in"
    page = await client.get("/sign-in", headers={"Accept-Language": "en"})
    assert '<html lang="sv">' in await page.get_data(as_text=True)


async def test_an_unknown_page_is_the_404_page_and_the_api_keeps_problem_json(app: Quart) -> None:
    client = app.test_client()
    page = await client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["Content-Type"] == HTML
    api = await client.get("/v1/no-such", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.headers["Content-Type"] == "application/problem+json"


async def test_a_bad_invitation_keeps_the_token_and_shows_the_error(app: Quart) -> None:
    client = app.test_client()
    answer = await client.post("/judge", form={"token": "not-a-token"})
    assert answer.status_code == 401
    body = await answer.get_data(as_text=True)
    assert 'value="not-a-token"' in body and 'id="e-token"' in body


@pytest.mark.parametrize("path", ["/sign-in", "/judge"])
async def test_no_inline_script_or_style(app: Quart, path: str) -> None:
    body = await (await app.test_client().get(path)).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "<style" not in body and " style=" not in body and " on" + "click=" not in body


async def test_assets_are_served_from_the_platform_and_cached(app: Quart) -> None:
    client = app.test_client()
    for name, kind in (("app.js", "javascript"), ("app.css", "text/css")):
        answer = await client.get(f"/assets/{name}")
        assert answer.status_code == 200 and kind in answer.headers["Content-Type"]
        assert answer.headers["Cache-Control"] == "public, max-age=3600"
        assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    page = await client.get("/sign-in")
    assert page.headers["Cache-Control"] == "no-store"
