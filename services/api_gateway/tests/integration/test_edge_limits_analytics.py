"""Rate limits shared by two gateway replicas on one database; analytics and metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from quart import Quart

from service_kit.testing.apps import fetch
from services.api_gateway.tests.edge_fakes import FakeServices
from services.api_gateway.tests.integration.edge_helpers import PROBLEM, add_user, gateway_app
from services.api_gateway.use_cases.analytics import FlushAnalytics


@pytest_asyncio.fixture
async def database(make_migrated_database: Any) -> str:
    url: str = await make_migrated_database("api_gateway")
    return url


@contextlib.asynccontextmanager
async def replicas(database: str, count: int) -> AsyncIterator[list[tuple[Quart, FakeServices]]]:
    apps = []
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(count):
            services = FakeServices()
            app = gateway_app(database, services)
            await stack.enter_async_context(app.test_app())
            apps.append((app, services))
        yield apps


async def flush(app: Quart) -> None:
    container = app.extensions["QUART_DISHKA"].container
    async with container() as scope:
        await (await scope.get(FlushAnalytics)).execute()


WINDOW = 3600


@pytest.fixture(autouse=True)
def long_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_GATEWAY_RATE_LIMIT_WINDOW_SECONDS", str(WINDOW))


def window_has_room(seconds: int = WINDOW, needed: float = 20.0) -> None:
    """Start a burst early enough in a window that it does not straddle two."""
    now = datetime.now(UTC).timestamp()
    left = seconds - now % seconds
    if left < needed:
        import time

        time.sleep(left + 0.05)


async def test_two_replicas_admit_the_limit_between_them(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 40
    monkeypatch.setenv("API_GATEWAY_RATE_LIMIT_GENERAL", str(limit))
    monkeypatch.setenv("API_GATEWAY_ANALYTICS_ENABLED", "false")
    teacher = await add_user(database)
    window_has_room()
    async with replicas(database, 2) as apps:
        clients = [app.test_client() for app, _ in apps]

        async def one(i: int) -> Any:
            return await clients[i % 2].get("/v1/batches", headers=teacher.headers)

        answers = await asyncio.gather(*(one(i) for i in range(3 * limit)))
    admitted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    assert len(admitted) + len(refused) == len(answers)
    assert abs(len(admitted) - limit) <= limit * 0.1, len(admitted)
    # both replicas admitted some: they shared one count, not two
    forwarded = [len(services.forwarded()) for _, services in apps]
    assert all(forwarded) and sum(forwarded) == len(admitted)
    sample = refused[0]
    assert sample.headers["Content-Type"] == PROBLEM
    assert 1 <= int(sample.headers["Retry-After"]) <= WINDOW
    assert sample.headers["RateLimit-Limit"] == str(limit)
    assert sample.headers["RateLimit-Remaining"] == "0"
    assert int(sample.headers["RateLimit-Reset"]) == int(sample.headers["Retry-After"])
    ok = admitted[0]
    assert ok.headers["RateLimit-Limit"] == str(limit)
    assert int(ok.headers["RateLimit-Remaining"]) < limit


async def test_uploads_and_judging_have_their_own_limits(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_GATEWAY_RATE_LIMIT_UPLOADS", "2")
    monkeypatch.setenv("API_GATEWAY_RATE_LIMIT_JUDGING", "3")
    teacher = await add_user(database)
    window_has_room()
    async with replicas(database, 1) as apps:
        app, services = apps[0]
        ids = services.add_batch(teacher.id)
        client = app.test_client()
        uploads = [
            (await client.delete(f"/v1/files/{ids['file']}", headers=teacher.headers)).status_code
            for _ in range(1)
        ]
        for _ in range(3):
            answer = await client.put(
                f"/v1/files/{ids['file']}", data=b"x", headers=teacher.headers
            )
            uploads.append(answer.status_code)
        path = f"/v1/assessments/{ids['assessment']}/next-pair"
        pairs = [(await client.get(path, headers=teacher.headers)).status_code for _ in range(4)]
    assert uploads == [204, 202, 202, 429]  # the DELETE counted as general
    assert pairs == [200, 200, 200, 429]


async def test_logins_are_limited_per_client_address(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_GATEWAY_RATE_LIMIT_LOGIN", "3")
    window_has_room()
    async with replicas(database, 2) as apps:
        rules = {rule.rule for rule in apps[0][0].url_map.iter_rules()}
        if "/v1/auth/login" not in rules:
            pytest.skip("CORE's login route is not merged yet")
        statuses = []
        for i in range(5):
            app, _ = apps[i % 2]
            answer = await app.test_client().post(
                "/v1/auth/login", json={"email": "nobody@school.test", "password": "x" * 12}
            )
            statuses.append(answer.status_code)
    assert statuses[3:] == [429, 429]
    assert all(s != 429 for s in statuses[:3])


async def test_old_windows_are_forgotten(database: str) -> None:
    from service_kit.db import Database
    from services.api_gateway.repository_postgres_edge import PostgresRateLimits

    db = Database(database)
    try:
        store = PostgresRateLimits(db)
        now = datetime.now(UTC)
        assert (
            await store.hit("general:x", now - timedelta(minutes=5), now - timedelta(minutes=4))
            == 1
        )
        assert await store.hit("general:x", now, now + timedelta(minutes=1)) == 1
        assert await store.hit("general:x", now, now + timedelta(minutes=1)) == 2
        assert await store.purge(now) == 1
        rows = await fetch(database, "SELECT count FROM rate_limit_counters")
        assert [r["count"] for r in rows] == [2]
    finally:
        await db.dispose()


async def test_analytics_per_route_template_and_user_for_admins(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_GATEWAY_RATE_LIMITS_ENABLED", "false")
    teacher, admin = await add_user(database), await add_user(database, "admin")
    async with replicas(database, 2) as apps:
        for app, services in apps:
            ids = services.add_batch(teacher.id)
            client = app.test_client()
            for _ in range(3):
                await client.get(f"/v1/batches/{ids['batch']}", headers=teacher.headers)
            await client.get(f"/v1/essays/{ids['essay']}", headers=teacher.headers)
            await client.get("/v1/batches")  # no credential: 401, anonymous
            await flush(app)
        app = apps[0][0]
        client = app.test_client()
        by_route = await client.get("/v1/admin/analytics?group=route", headers=admin.headers)
        assert by_route.status_code == 200, await by_route.get_data()
        routes = {(i["route"], i["method"]): i for i in (await by_route.get_json())["items"]}
        batch = routes[("/v1/batches/<batch_id>", "GET")]
        assert batch["count"] == 6 and batch["by_status_class"] == {"2xx": 6}
        assert batch["p50_ms"] is not None and batch["p95_ms"] >= batch["p50_ms"]
        assert routes[("/v1/essays/<uuid:essay_id>", "GET")]["count"] == 2
        assert routes[("/v1/batches", "GET")]["by_status_class"] == {"4xx": 2}
        today = datetime.now(UTC).date()
        by_user = await client.get(
            f"/v1/admin/analytics?group=user&from={today - timedelta(days=1)}&to={today}",
            headers=admin.headers,
        )
        users = {i["principal"]: i for i in (await by_user.get_json())["items"]}
        assert users[str(teacher.id)]["count"] == 8
        assert users[""]["count"] == 2

        teacher_asks = await client.get("/v1/admin/analytics", headers=teacher.headers)
        assert teacher_asks.status_code == 403
        for bad in (
            "group=route&from=yesterday",
            "group=nope",
            "from=2026-12-05&to=2026-01-01",
            "x=1",
        ):
            answer = await client.get(f"/v1/admin/analytics?{bad}", headers=admin.headers)
            assert 400 <= answer.status_code < 500, bad
            assert answer.headers["Content-Type"] == PROBLEM

        # Prometheus labels are route templates, never ids
        metrics = await (
            await client.get(
                "/metrics",
                headers={"Authorization": "Bearer internal-token-for-the-tests-0123456789"},
            )
        ).get_data()
        text = metrics.decode()
        assert 'route="/v1/batches/<batch_id>"' in text
        assert ids["batch"] not in text and ids["essay"] not in text
        assert 'gateway_forwarded_total{service="batch_orchestrator",status="200"}' in text
        assert 'gateway_upstream_seconds_bucket{le="0.001",service="essay_lifecycle"}' in text


async def test_the_gateways_own_routes_count_against_the_general_limit(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """me, api-keys, invitations and admin share the principal's general window with the
    forwarded routes; login and accepting an invitation are not counted there."""
    monkeypatch.setenv("API_GATEWAY_RATE_LIMIT_GENERAL", "4")
    teacher = await add_user(database)
    admin = await add_user(database, role="admin")
    window_has_room()
    async with replicas(database, 2) as apps:
        (first, services), (second, _) = apps
        ids = services.add_batch(teacher.id)
        one, two = first.test_client(), second.test_client()
        h = teacher.headers
        statuses = [
            (await two.get("/v1/me", headers=h)).status_code,
            (await two.get("/v1/api-keys", headers=h)).status_code,
            (await one.get(f"/v1/batches/{ids['batch']}", headers=h)).status_code,
            (  # the batch is known to the first replica's fake services
                await one.post(f"/v1/batches/{ids['batch']}/judges/invitations", json={}, headers=h)
            ).status_code,
        ]
        refused = await one.get("/v1/me", headers=h)
        refused_keys = await two.post("/v1/api-keys", json={"name": "x"}, headers=h)
        # another principal has its own window, on the admin routes too
        admins = [
            (await one.get("/v1/admin/audit", headers=admin.headers)).status_code for _ in range(5)
        ]
        # no credential: still 401, not counted against anyone
        anonymous = await one.get("/v1/me")
    assert statuses == [200, 200, 200, 201]
    assert refused.status_code == 429 and refused_keys.status_code == 429
    assert refused.headers["Content-Type"] == PROBLEM
    assert refused.headers["RateLimit-Limit"] == "4"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW
    assert admins == [200, 200, 200, 200, 429]
    assert anonymous.status_code == 401
