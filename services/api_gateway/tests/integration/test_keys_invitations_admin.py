"""API keys, judge invitations, admin routes, headers, the command line: real PostgreSQL."""

import asyncio
import os
import sys
from pathlib import Path

import pytest

from service_kit.checkout import pythonpath_for
from service_kit.testing.apps import fetch
from services.api_gateway.app import create_app
from services.api_gateway.tests.conftest import gateway_settings
from services.api_gateway.tests.integration.helpers import (
    PASSWORD,
    api_key,
    assert_problem,
    bearer,
    make_user,
)

ROOT = Path(__file__).resolve().parents[4]


async def test_api_key_works_once_shown_and_revoked_is_401(app):
    user = await make_user(app)
    key = await api_key(app, user)
    client = app.test_client()
    me = await client.get("/v1/me", headers=bearer(key))
    assert (await me.get_json())["id"] == str(user.id)
    listed = await (await client.get("/v1/api-keys", headers=bearer(key))).get_json()
    [shown] = listed["items"]
    assert key.startswith(shown["prefix"]) and "key" not in shown
    assert shown["last_used_at"] is not None
    rows = await fetch(app.config["SETTINGS"].database_url, "SELECT key_hash FROM api_keys")
    assert all(key not in row["key_hash"] for row in rows)
    # a key needs no CSRF token
    revoked = await client.delete(f"/v1/api-keys/{shown['id']}", headers=bearer(key))
    assert revoked.status_code == 204
    await assert_problem(await client.get("/v1/me", headers=bearer(key)), 401)


async def test_a_second_teacher_cannot_see_or_revoke_anothers_keys(app):
    anna, bo = await make_user(app), await make_user(app)
    annas_key, bos_key = await api_key(app, anna), await api_key(app, bo)
    client = app.test_client()
    annas = (await (await client.get("/v1/api-keys", headers=bearer(annas_key))).get_json())[
        "items"
    ]
    bos = (await (await client.get("/v1/api-keys", headers=bearer(bos_key))).get_json())["items"]
    assert {k["id"] for k in annas}.isdisjoint({k["id"] for k in bos})
    stranger = await client.delete(f"/v1/api-keys/{annas[0]['id']}", headers=bearer(bos_key))
    missing = await client.delete(
        "/v1/api-keys/00000000-0000-0000-0000-000000000000", headers=bearer(bos_key)
    )
    assert _same(await assert_problem(stranger, 404), await assert_problem(missing, 404))
    assert (await client.get("/v1/me", headers=bearer(annas_key))).status_code == 200


def _same(one: dict, other: dict) -> bool:
    drop = {"correlation_id"}
    return {k: v for k, v in one.items() if k not in drop} == {
        k: v for k, v in other.items() if k not in drop
    }


async def test_invitation_and_judge_only_session(app, ownership):
    teacher, stranger = await make_user(app), await make_user(app)
    ownership.owners["batch-1"] = teacher.id
    teacher_key, stranger_key = await api_key(app, teacher), await api_key(app, stranger)
    client = app.test_client()
    theirs = await client.post(
        "/v1/batches/batch-1/judges/invitations", json={}, headers=bearer(stranger_key)
    )
    missing = await client.post(
        "/v1/batches/nope/judges/invitations", json={}, headers=bearer(stranger_key)
    )
    assert _same(await assert_problem(theirs, 404), await assert_problem(missing, 404))
    made = await client.post(
        "/v1/batches/batch-1/judges/invitations",
        json={"email": "colleague@school.example", "expires_in_hours": 48},
        headers=bearer(teacher_key),
    )
    assert made.status_code == 201
    invitation = await made.get_json()
    assert set(invitation) == {"id", "url", "token", "expires_at", "judge_id"}
    assert invitation["url"].endswith(f"/judge#invitation={invitation['token']}")

    judge = app.test_client()
    accepted = await judge.post("/v1/auth/invitations/accept", json={"token": invitation["token"]})
    assert accepted.status_code == 200
    body = await accepted.get_json()
    assert body["user"]["kind"] == "judge"
    assert body["user"]["id"] == invitation["judge_id"]
    assert body["user"]["judge_batch_id"] == "batch-1"
    me = await (await judge.get("/v1/me")).get_json()
    assert (me["kind"], me["id"], me["judge_batch_id"]) == (
        "judge",
        invitation["judge_id"],
        "batch-1",
    )
    csrf = {"X-CSRF-Token": body["csrf_token"]}
    await assert_problem(await judge.post("/v1/api-keys", json={"name": "k"}, headers=csrf), 403)
    await assert_problem(await judge.get("/v1/admin/audit"), 403)
    await assert_problem(
        await app.test_client().post("/v1/auth/invitations/accept", json={"token": "made-up"}),
        401,
    )


async def test_admin_routes_are_403_for_a_teacher(app):
    teacher_key = await api_key(app, await make_user(app, "teacher"))
    client = app.test_client()
    await assert_problem(await client.get("/v1/admin/audit", headers=bearer(teacher_key)), 403)
    new_user = {"email": "new@school.example", "password": PASSWORD, "role": "admin"}
    await assert_problem(
        await client.post("/v1/admin/users", json=new_user, headers=bearer(teacher_key)), 403
    )
    await assert_problem(await client.get("/v1/admin/audit"), 401)


async def test_admin_creates_users_and_reads_the_audit_log(app):
    admin_key = await api_key(app, await make_user(app, "admin"))
    client = app.test_client()
    email = "Made.By.Admin@School.example"
    made = await client.post(
        "/v1/admin/users",
        json={"email": email, "password": PASSWORD, "role": "teacher", "display_name": "M"},
        headers=bearer(admin_key),
    )
    assert made.status_code == 201
    user = await made.get_json()
    assert (user["email"], user["role"], user["display_name"]) == (email.lower(), "teacher", "M")
    assert "password" not in str(user) and "hash" not in str(user)
    again = await client.post(
        "/v1/admin/users",
        json={"email": email.upper(), "password": PASSWORD, "role": "teacher"},
        headers=bearer(admin_key),
    )
    await assert_problem(again, 409)
    weak = await client.post(
        "/v1/admin/users",
        json={"email": "weak@school.example", "password": "password1234", "role": "teacher"},
        headers=bearer(admin_key),
    )
    assert (await assert_problem(weak, 422))["field"] == "password"
    await client.post(
        "/v1/auth/login", json={"email": "ghost@school.example", "password": "x" * 12}
    )

    seen, cursor = [], None
    for _ in range(100):
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = await (
            await client.get("/v1/admin/audit", query_string=query, headers=bearer(admin_key))
        ).get_json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len({e["id"] for e in seen}) == len(seen)
    kinds = {e["kind"] for e in seen}
    assert {"user.created", "login.succeeded", "api_key.created", "login.failed"} <= kinds
    assert PASSWORD not in str(seen)
    failed = await (
        await client.get(
            "/v1/admin/audit", query_string={"kind": "login.failed"}, headers=bearer(admin_key)
        )
    ).get_json()
    assert failed["items"] and all(e["kind"] == "login.failed" for e in failed["items"])
    await assert_problem(
        await client.get(
            "/v1/admin/audit", query_string={"cursor": "garbage"}, headers=bearer(admin_key)
        ),
        422,
    )


async def test_security_headers_and_no_cors_by_default(app):
    answer = await app.test_client().get("/v1/me", headers={"Origin": "https://evil.example"})
    headers = answer.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "Access-Control-Allow-Origin" not in headers
    assert "Strict-Transport-Security" not in headers


async def test_production_profile_hsts_cors_and_metrics_token(database_url):
    settings = gateway_settings(
        _not_the_default(database_url),
        profile="production",
        internal_api_token="x" * 32,
        public_base_url="https://essays.example",
        cors_origins="https://app.example",
    )
    app = create_app(settings)
    async with app.test_app():
        client = app.test_client()
        answer = await client.get("/healthz", headers={"Origin": "https://app.example"})
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example"
        preflight = await client.options(
            "/v1/api-keys",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-CSRF-Token",
            },
        )
        assert preflight.status_code == 200
        assert "X-CSRF-Token" in preflight.headers["Access-Control-Allow-Headers"]
        assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
        other = await client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
        await assert_problem(await client.get("/metrics"), 401)
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 32})
        assert allowed.status_code == 200
        # the internal token opens no public route
        await assert_problem(
            await client.get("/v1/me", headers={"Authorization": "Bearer " + "x" * 32}), 401
        )
        user = await make_user(app)
        login = await client.post(
            "/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        assert "Secure" in login.headers["Set-Cookie"]


def _not_the_default(database_url: str) -> str:
    """The test database under a name production does not take for the development one."""
    return database_url.replace("@127.0.0.1:", "@localhost:")


def test_production_refuses_default_secrets(database_url):
    url = _not_the_default(database_url)
    with pytest.raises(ValueError, match="INTERNAL_API_TOKEN"):
        gateway_settings(url, profile="production", public_base_url="https://e.example")
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        gateway_settings(url, profile="production", internal_api_token="x" * 32)
    with pytest.raises(ValueError, match="development default"):
        gateway_settings(
            "",
            profile="production",
            internal_api_token="x" * 32,
            public_base_url="https://e.example",
        )


async def test_the_command_line_creates_a_user_reading_stdin(app, database_url):
    env = {**os.environ, **pythonpath_for(ROOT), "API_GATEWAY_DATABASE_URL": database_url}
    env.update({"API_GATEWAY_ARGON2_TIME_COST": "1", "API_GATEWAY_ARGON2_MEMORY_KIB": "1024"})
    email = "First.Admin@School.example"

    async def run(*args: str, stdin: bytes) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.api_gateway",
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=str(ROOT),
        )
        out, err = await asyncio.wait_for(process.communicate(stdin), 60)
        return process.returncode or 0, out.decode(), err.decode()

    code, out, err = await run(
        "users", "create", "--email", email, "--role", "admin", stdin=PASSWORD.encode() + b"\n"
    )
    assert code == 0, err
    assert "created admin first.admin@school.example" in out and PASSWORD not in out + err
    login = await app.test_client().post(
        "/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert login.status_code == 200
    assert (await login.get_json())["user"]["role"] == "admin"
    code, _, err = await run(
        "users",
        "create",
        "--email",
        "weak@school.example",
        "--role",
        "teacher",
        stdin=b"password1234\n",
    )
    assert code == 2 and "too common" in err
