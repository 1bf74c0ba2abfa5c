"""Client IPs forgotten after the retention, ended sessions removed, users changed by an
admin: the PostgreSQL repositories behind them."""

from datetime import timedelta

from service_kit.testing.apps import fetch
from services.api_gateway import jobs
from services.api_gateway.tests.integration.helpers import (
    PASSWORD,
    api_key,
    assert_problem,
    bearer,
    logged_in,
    make_user,
)


async def test_client_ips_are_forgotten_after_the_retention(app, clock):
    url = app.config["SETTINGS"].database_url
    user = await make_user(app)
    await logged_in(app, user)  # a session and a login.succeeded event with 127.0.0.1
    container = app.extensions["QUART_DISHKA"].container
    old = "SELECT count(*) AS n FROM audit_events WHERE client_ip IS NOT NULL AND subject = $1"
    assert (await fetch(url, old, user.email))[0]["n"] == 1
    clock.advance(timedelta(days=29))
    await jobs.forget_client_ips(container)
    assert (await fetch(url, old, user.email))[0]["n"] == 1
    clock.advance(timedelta(days=2))
    result = await jobs.forget_client_ips(container)
    assert result.audit_events >= 1 and result.sessions_deleted >= 1
    assert (await fetch(url, old, user.email))[0]["n"] == 0
    left = await fetch(url, "SELECT count(*) AS n FROM sessions WHERE user_id = $1", user.id)
    assert left[0]["n"] == 0


async def test_admin_disables_and_changes_a_user(app):
    admin_key = await api_key(app, await make_user(app, "admin"))
    user = await make_user(app)
    client, _ = await logged_in(app, user)
    user_key = await api_key(app, user)
    other = app.test_client()
    changed = await other.patch(
        f"/v1/admin/users/{user.id}",
        json={"disabled": True, "display_name": "Anna"},
        headers=bearer(admin_key),
    )
    assert changed.status_code == 200
    body = await changed.get_json()
    assert (body["disabled"], body["display_name"], body["role"]) == (True, "Anna", "teacher")
    await assert_problem(await client.get("/v1/me"), 401)
    await assert_problem(await other.get("/v1/me", headers=bearer(user_key)), 401)
    await assert_problem(
        await other.post("/v1/auth/login", json={"email": user.email, "password": PASSWORD}), 401
    )
    teacher_try = await other.patch(
        f"/v1/admin/users/{user.id}", json={"disabled": False}, headers=bearer(user_key)
    )
    await assert_problem(teacher_try, 401)
    missing = await other.patch(
        "/v1/admin/users/00000000-0000-0000-0000-000000000001",
        json={"disabled": False},
        headers=bearer(admin_key),
    )
    await assert_problem(missing, 404)
    back = await other.patch(
        f"/v1/admin/users/{user.id}", json={"disabled": False}, headers=bearer(admin_key)
    )
    assert (await back.get_json())["disabled"] is False
    assert (await other.get("/v1/me", headers=bearer(user_key))).status_code == 200
