"""The public API through the real gateway app and PostgreSQL: two teachers and every route,
the judge rules, what crosses to the services and what does not."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from quart import Quart
from werkzeug.datastructures import FileStorage

from services.api_gateway.forwarding import ROUTES, BodyKind, Owned, Route
from services.api_gateway.tests.edge_fakes import FakeServices
from services.api_gateway.tests.integration.edge_helpers import (
    INTERNAL_TOKEN,
    PROBLEM,
    Caller,
    add_judge,
    add_user,
    gateway_app,
)


@pytest_asyncio.fixture(scope="module")
async def database(make_migrated_database: Any) -> str:
    url: str = await make_migrated_database("api_gateway")
    return url


@pytest_asyncio.fixture
async def setup(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Quart, FakeServices]]:
    monkeypatch.setenv("API_GATEWAY_RATE_LIMITS_ENABLED", "false")
    services = FakeServices()
    app = gateway_app(database, services)
    async with app.test_app():
        yield app, services


def part(name: str, data: bytes, content_type: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=content_type)


def url_for(r: Route, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return "spellcheck" if name == "phase" else ids[name.removesuffix("_id")]

    path = re.sub(r"<(?:\w+:)?(\w+)>", value, r.rule)
    if r.owned is Owned.QUERY_BATCH:
        path += f"?batch_id={ids['batch']}"
    return path


def body_for(r: Route) -> dict[str, Any]:
    if r.body is BodyKind.STREAM:
        return {"files": {"files": part("essay.txt", b"An essay of some words.", "text/plain")}}
    if r.body is BodyKind.JSON:
        return {"json": {"pair_id": str(uuid.uuid4()), "winner": "a", "name": "x"}}
    return {}


async def call(
    app: Quart, r: Route, ids: dict[str, str], caller: Caller | None, **extra: Any
) -> Any:
    client = app.test_client()
    headers = {**(caller.headers if caller else {}), **extra.pop("headers", {})}
    kwargs = {**body_for(r), **extra}
    return await client.open(url_for(r, ids), method=r.method, headers=headers, **kwargs)


def without_correlation(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    data.pop("correlation_id", None)
    return data


@pytest.mark.parametrize("r", ROUTES, ids=lambda r: f"{r.method} {r.rule}")
async def test_two_teachers_and_every_public_route(
    setup: tuple[Quart, FakeServices], database: str, r: Route
) -> None:
    app, services = setup
    alice, bob = await add_user(database), await add_user(database)
    ids = services.add_batch(alice.id)

    # the owner's request reaches the service, with the internal token and the verified user
    spoof = {"X-User-ID": str(bob.id)}
    mine = await call(app, r, ids, alice, headers=spoof)
    assert mine.status_code < 300, await mine.get_data()
    sent = services.forwarded()[-1]
    assert sent.headers["authorization"] == f"Bearer {INTERNAL_TOKEN}"
    assert sent.headers["x-user-id"] == str(alice.id)
    assert "cookie" not in sent.headers

    # no credential: 401
    anonymous = await call(app, r, ids, None)
    assert anonymous.status_code == 401 and anonymous.headers["Content-Type"] == PROBLEM

    if r.owned is Owned.NONE:
        return
    # the other teacher: the same 404 as an id that does not exist
    before = len(services.forwarded())
    theirs = await call(app, r, ids, bob)
    missing_ids = {k: (uuid.uuid4().hex if k == "batch" else str(uuid.uuid4())) for k in ids}
    missing = await call(app, r, missing_ids, alice)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.headers["Content-Type"] == missing.headers["Content-Type"] == PROBLEM
    mine_404 = without_correlation(await theirs.get_data())
    none_404 = without_correlation(await missing.get_data())
    assert mine_404.pop("detail").rsplit(" ", 1)[0] == none_404.pop("detail").rsplit(" ", 1)[0]
    assert mine_404 == none_404
    assert len(services.forwarded()) == before  # neither reached a service


async def test_listing_shows_only_ones_own_batches(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    alice, bob = await add_user(database), await add_user(database)
    services.add_batch(alice.id)
    services.add_batch(bob.id)
    answer = await app.test_client().get(f"/v1/batches?owner={bob.id}", headers=alice.headers)
    assert answer.status_code == 200
    assert [services.batches[b] for b in (await answer.get_json())["items"]] == [str(alice.id)]


async def test_a_batch_created_through_the_gateway_is_its_creators(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    alice, bob = await add_user(database), await add_user(database)
    client = app.test_client()
    created = await client.post("/v1/batches", json={"name": "x"}, headers=alice.headers)
    assert created.status_code == 201
    batch_id = (await created.get_json())["batch_id"]
    assert (await client.get(f"/v1/batches/{batch_id}", headers=alice.headers)).status_code == 200
    assert (await client.get(f"/v1/batches/{batch_id}", headers=bob.headers)).status_code == 404


async def test_a_judge_judges_its_assessment_and_nothing_else(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    teacher = await add_user(database)
    mine, other = services.add_batch(teacher.id), services.add_batch(teacher.id)
    judge = await add_judge(database, mine["batch"])
    client = app.test_client()
    a, b = mine["assessment"], other["assessment"]

    pair = await client.get(
        f"/v1/assessments/{a}/next-pair?judge_id=mallory", headers=judge.headers
    )
    assert pair.status_code == 200
    assert (await pair.get_json())["judge_id"] == str(judge.id)
    body = {"pair_id": str(uuid.uuid4()), "judge_id": "mallory", "winner": "a"}
    judged = await client.post(f"/v1/assessments/{a}/judgements", json=body, headers=judge.headers)
    assert judged.status_code == 201
    assert (await judged.get_json())["received"]["judge_id"] == str(judge.id)
    # a cookie without its CSRF token may not judge
    no_csrf = {"Cookie": judge.headers["Cookie"]}
    refused = await client.post(f"/v1/assessments/{a}/judgements", json=body, headers=no_csrf)
    assert refused.status_code == 403

    for path in (f"/v1/assessments/{b}", f"/v1/assessments/{b}/next-pair"):
        assert (await client.get(path, headers=judge.headers)).status_code == 404
    elsewhere = await client.post(
        f"/v1/assessments/{b}/judgements", json=body, headers=judge.headers
    )
    assert elsewhere.status_code == 404
    for r in ROUTES:
        if r.judge_may:
            continue
        answer = await call(app, r, mine, judge)
        assert answer.status_code == 403, (r, await answer.get_data())
        assert answer.headers["Content-Type"] == PROBLEM


async def test_teachers_judge_as_themselves(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    teacher = await add_user(database)
    ids = services.add_batch(teacher.id)
    body = {"pair_id": str(uuid.uuid4()), "judge_id": "someone-else", "winner": "b"}
    judged = await app.test_client().post(
        f"/v1/assessments/{ids['assessment']}/judgements", json=body, headers=teacher.headers
    )
    assert (await judged.get_json())["received"]["judge_id"] == str(teacher.id)


async def test_an_upload_arrives_whole_with_its_multipart_type(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    teacher = await add_user(database)
    ids = services.add_batch(teacher.id)
    payload = bytes(range(256)) * 4096  # 1 MiB
    answer = await app.test_client().post(
        f"/v1/batches/{ids['batch']}/files",
        files={"files": part("big.bin", payload, "application/octet-stream")},
        headers=teacher.headers,
    )
    assert answer.status_code == 202
    sent = services.forwarded("/files")[-1]
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert payload in sent.body


async def test_a_service_that_does_not_answer_is_a_503_problem(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    teacher = await add_user(database)
    services.down = True
    answer = await app.test_client().get("/v1/batches", headers=teacher.headers)
    assert answer.status_code == 503
    assert answer.headers["Content-Type"] == PROBLEM and answer.headers["Retry-After"]


async def test_internal_and_operational_routes_of_the_services_are_not_reachable(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    teacher = await add_user(database)
    ids = services.add_batch(teacher.id)
    client = app.test_client()
    for method, path in (
        ("GET", f"/internal/v1/batches/{ids['batch']}"),
        ("POST", f"/internal/v1/batches/{ids['batch']}/phase-outcomes"),
        ("POST", "/v1/assessments"),
        ("POST", "/v1/jobs"),
        ("GET", "/v1/content/abc"),
        ("POST", "/v1/content"),
    ):
        answer = await client.open(path, method=method, headers=teacher.headers)
        assert answer.status_code in (404, 405), (method, path)
    assert services.forwarded() == []


async def test_head_on_a_get_route_is_forwarded_without_a_body(
    setup: tuple[Quart, FakeServices], database: str
) -> None:
    app, services = setup
    teacher = await add_user(database)
    ids = services.add_batch(teacher.id)
    answer = await app.test_client().head(f"/v1/batches/{ids['batch']}", headers=teacher.headers)
    assert answer.status_code == 200
    assert await answer.get_data() == b""
