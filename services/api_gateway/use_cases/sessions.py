"""Who is calling: authenticate a request, log in and out, open a judge's session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from services.api_gateway.domain import (
    API_KEY_PREFIX,
    Forbidden,
    Principal,
    SessionPolicy,
    Unauthenticated,
    User,
    hash_token,
    same_token,
)
from services.api_gateway.protocols import GatewayUnitOfWork

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NO_CREDENTIAL = "a session cookie or an API key (Authorization: Bearer) is required"
NOT_VALID = "the credential is not valid (expired, revoked or unknown)"


@dataclass(frozen=True, slots=True)
class AuthenticateCommand:
    method: str
    session_token: str | None = None  # the session cookie
    bearer: str | None = None  # Authorization: Bearer <API key>
    csrf_token: str | None = None  # X-CSRF-Token


class Authenticate:
    """The principal behind a request's credential. An API key wins over a cookie (a browser
    never sends one by itself, so it needs no CSRF token); a cookie on an unsafe method needs
    the session's CSRF token."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock, policy: SessionPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def execute(self, command: AuthenticateCommand) -> Principal:
        async with self._uow:
            if command.bearer is not None:
                principal = await self._by_key(command.bearer)
            elif command.session_token:
                principal = await self._by_session(command)
            else:
                raise Unauthenticated(NO_CREDENTIAL)
            await self._uow.commit()
        return principal

    async def _live_user(self, user_id: uuid.UUID | None) -> User:
        user = await self._uow.users.get(user_id) if user_id else None
        if user is None or user.disabled:
            raise Unauthenticated(NOT_VALID)
        return user

    async def _by_key(self, bearer: str) -> Principal:
        now = self._clock.now()
        ours = bearer.startswith(API_KEY_PREFIX)
        key = await self._uow.api_keys.by_hash(hash_token(bearer)) if ours else None
        if key is None or not key.live_at(now):
            raise Unauthenticated(NOT_VALID)
        user = await self._live_user(key.user_id)
        stale = key.last_used_at is None or (
            (now - key.last_used_at).total_seconds() >= self._policy.touch_seconds
        )
        if stale:
            await self._uow.api_keys.touch(key.id, now)
        return user.principal("api_key")

    async def _by_session(self, command: AuthenticateCommand) -> Principal:
        now = self._clock.now()
        session = await self._uow.sessions.by_token_hash(hash_token(command.session_token or ""))
        if session is None or not session.live_at(now, self._policy.idle_seconds):
            raise Unauthenticated(NOT_VALID)
        if session.kind == "user":
            principal = (await self._live_user(session.user_id)).principal("session")
        else:
            principal = Principal(
                session.principal_id,
                "judge",
                None,
                None,
                "judge_session",
                session.judge_batch_id,
            )
        if command.method.upper() in UNSAFE_METHODS and not (
            command.csrf_token and same_token(command.csrf_token, session.csrf_hash)
        ):
            raise Forbidden("a cookie-authenticated change needs the X-CSRF-Token header")
        if (now - session.last_seen_at).total_seconds() >= self._policy.touch_seconds:
            await self._uow.sessions.touch(session.id, now)
        return principal
