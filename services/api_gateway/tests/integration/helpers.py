"""Making accounts and logging in against the app under test."""

from __future__ import annotations

import uuid
from typing import Any

from quart import Quart

from services.api_gateway.domain import User
from services.api_gateway.use_cases import CreateUser, CreateUserCommand

PASSWORD = "a long and uncommon passphrase"
PROBLEM = "application/problem+json"


async def make_user(app: Quart, role: str = "teacher", email: str | None = None) -> User:
    email = email or f"{role}-{uuid.uuid4().hex[:10]}@school.example"
    async with app.extensions["QUART_DISHKA"].container() as scope:
        create = await scope.get(CreateUser)
        return await create.execute(CreateUserCommand(email, PASSWORD, role))


async def logged_in(app: Quart, user: User) -> tuple[Any, str]:
    """A test client holding ``user``'s session cookie, and the session's CSRF token."""
    client = app.test_client()
    answer = await client.post("/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 200, await answer.get_data()
    return client, (await answer.get_json())["csrf_token"]


async def api_key(app: Quart, user: User) -> str:
    client, csrf = await logged_in(app, user)
    made = await client.post(
        "/v1/api-keys", json={"name": "system"}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201, await made.get_data()
    return str((await made.get_json())["key"])


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def assert_problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, (answer.status_code, await answer.get_data())
    assert answer.headers["Content-Type"] == PROBLEM
    return dict(await answer.get_json())
