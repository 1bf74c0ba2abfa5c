"""EDGE's integration set-up: the real gateway app on a real, migrated PostgreSQL, the six
services faked behind httpx.MockTransport, principals made straight in the gateway's tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dishka import Provider, Scope
from quart import Quart

from service_kit.testing.apps import fetch
from services.api_gateway.app import create_app
from services.api_gateway.config import Settings
from services.api_gateway.domain import API_KEY_PREFIX, hash_token, new_token
from services.api_gateway.tests.edge_fakes import FakeServices
from services.api_gateway.upstream import HttpUpstream

INTERNAL_TOKEN = "internal-token-for-the-tests-0123456789"
PROBLEM = "application/problem+json"


def gateway_app(database_url: str, services: FakeServices, **settings: Any) -> Quart:
    upstream = services.upstream(INTERNAL_TOKEN)

    def given() -> HttpUpstream:
        return upstream

    fake = Provider(scope=Scope.APP)
    fake.provide(given, provides=HttpUpstream)
    values: dict[str, Any] = {
        "database_url": database_url,
        "log_level": "WARNING",
        "internal_api_token": INTERNAL_TOKEN,
        **settings,
    }
    return create_app(Settings(**values), extra_providers=[fake])


@dataclass(frozen=True)
class Caller:
    id: uuid.UUID
    headers: dict[str, str]


async def add_user(database_url: str, role: str = "teacher") -> Caller:
    """A user with a live API key (the password hash is never checked here)."""
    now = datetime.now(UTC)
    user_id = uuid.uuid4()
    await fetch(
        database_url,
        "INSERT INTO users (id, email, display_name, role, password_hash, disabled, created_at,"
        " updated_at) VALUES ($1, $2, NULL, $3, 'x', false, $4, $4)",
        user_id,
        f"{user_id.hex[:10]}@school.test",
        role,
        now,
    )
    key = new_token(API_KEY_PREFIX)
    await fetch(
        database_url,
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at)"
        " VALUES ($1, $2, 'tests', $3, $4, $5)",
        uuid.uuid4(),
        user_id,
        key[:12],
        hash_token(key),
        now,
    )
    return Caller(user_id, {"Authorization": f"Bearer {key}"})


async def add_judge(database_url: str, batch_id: str) -> Caller:
    """A judge-only session on ``batch_id`` (cookie and CSRF token, as a browser has them)."""
    now = datetime.now(UTC)
    judge_id = uuid.uuid4()
    token, csrf = new_token(), new_token()
    await fetch(
        database_url,
        "INSERT INTO sessions (id, token_hash, csrf_hash, kind, principal_id, user_id,"
        " invitation_id, judge_batch_id, created_at, last_seen_at, absolute_expires_at)"
        " VALUES ($1, $2, $3, 'judge', $4, NULL, NULL, $5, $6, $6, $7)",
        uuid.uuid4(),
        hash_token(token),
        hash_token(csrf),
        judge_id,
        batch_id,
        now,
        now + timedelta(hours=2),
    )
    return Caller(judge_id, {"Cookie": f"gw_session={token}", "X-CSRF-Token": csrf})
