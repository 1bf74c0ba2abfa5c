"""Every forwarded route and the analytics route with bad ids, bodies and headers: a 4xx
problem+json (or the service's own answer for a body only it can judge), never a 5xx."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
from quart import Quart

from services.api_gateway.forwarding import ROUTES, Route
from services.api_gateway.tests.edge_fakes import FakeServices
from services.api_gateway.tests.integration.edge_helpers import (
    PROBLEM,
    Caller,
    add_user,
    gateway_app,
)

BAD_IDS = [
    "x" * 65,
    "x" * 5000,
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000g",
    "%00",
    "..%2F..%2Finternal",
    quote("😀'\";--", safe=""),
    "%ZZ",
]
BAD_BODIES: list[dict[str, Any]] = [
    {"data": b""},
    {"data": b"{", "headers": {"Content-Type": "application/json"}},
    {"data": b"null", "headers": {"Content-Type": "application/json"}},
    {"data": b"[1,2]", "headers": {"Content-Type": "application/json"}},
    {"data": b'{"judge_id": {"$gt": ""}}', "headers": {"Content-Type": "application/json"}},
    {"data": bytes(range(256)) * 4, "headers": {"Content-Type": "multipart/form-data"}},
    {"data": b"\xff\xfe\x00", "headers": {"Content-Type": "text/plain; charset=utf-8"}},
    {"data": b"x" * (3 * 1024 * 1024), "headers": {"Content-Type": "application/json"}},
]
BAD_HEADERS = [
    {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer egk_" + "A" * 43},
    {"Authorization": "Bearer " + "x" * 8000},
    {"Authorization": "egk_nothing"},
    {"Cookie": "gw_session=forged"},
    {"Cookie": "gw_session=" + "y" * 4000},
]


@pytest_asyncio.fixture(scope="module")
async def database(make_migrated_database: Any) -> str:
    url: str = await make_migrated_database("api_gateway")
    return url


@pytest_asyncio.fixture
async def setup(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Quart, FakeServices, Caller, dict[str, str]]]:
    monkeypatch.setenv("API_GATEWAY_RATE_LIMITS_ENABLED", "false")
    services = FakeServices()
    app = gateway_app(database, services)
    teacher = await add_user(database)
    ids = services.add_batch(teacher.id)
    async with app.test_app():
        yield app, services, teacher, ids


def path_with(r: Route, ids: dict[str, str], bad: str | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if bad is not None and name != "phase":
            return bad
        return "spellcheck" if name == "phase" else ids[name.removesuffix("_id")]

    path = re.sub(r"<(?:\w+:)?(\w+)>", value, r.rule)
    if r.owned.value == "query_batch":
        path += f"?batch_id={bad if bad is not None else ids['batch']}"
    return path


async def assert_no_server_error(answer: Any, what: object) -> None:
    assert answer.status_code < 500, (what, answer.status_code, await answer.get_data())
    if answer.status_code >= 400:
        assert answer.headers["Content-Type"] == PROBLEM, what


@pytest.mark.parametrize("r", ROUTES, ids=lambda r: f"{r.method} {r.rule}")
async def test_bad_ids_bodies_and_headers_are_4xx_problems(
    setup: tuple[Quart, FakeServices, Caller, dict[str, str]], r: Route
) -> None:
    app, _, teacher, ids = setup
    client = app.test_client()
    for bad in BAD_IDS:
        if "<" not in r.rule and r.owned.value != "query_batch":
            break
        answer = await client.open(path_with(r, ids, bad), method=r.method, headers=teacher.headers)
        await assert_no_server_error(answer, (r.rule, bad))
        assert answer.status_code >= 400
    for body in BAD_BODIES:
        headers = {**teacher.headers, **body.get("headers", {})}
        answer = await client.open(
            path_with(r, ids), method=r.method, data=body["data"], headers=headers
        )
        await assert_no_server_error(answer, (r.rule, body["data"][:20]))
    for headers in BAD_HEADERS:
        answer = await client.open(path_with(r, ids), method=r.method, headers=headers)
        await assert_no_server_error(answer, (r.rule, headers))
        assert answer.status_code == 401


async def test_the_analytics_route_refuses_what_it_cannot_read(
    setup: tuple[Quart, FakeServices, Caller, dict[str, str]], database: str
) -> None:
    app, _, teacher, _ = setup
    admin = await add_user(database, "admin")
    client = app.test_client()
    for query in (
        "from=2026-13-01",
        "to=" + "9" * 50,
        "group=",
        "group=route&group=user",
        "from=2025-01-01&to=2026-12-31",
        "%ff=1",
    ):
        answer = await client.get(f"/v1/admin/analytics?{query}", headers=admin.headers)
        await assert_no_server_error(answer, query)
        assert answer.status_code >= 400, query
    for headers in [*BAD_HEADERS, teacher.headers]:
        answer = await client.get("/v1/admin/analytics", headers=headers)
        await assert_no_server_error(answer, headers)
        assert answer.status_code in (401, 403)
