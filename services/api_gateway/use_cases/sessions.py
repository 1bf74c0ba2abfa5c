"""Who is calling: authenticate a request, log in and out, open a judge's session."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from service_kit.clock import Clock
from services.api_gateway.domain import (
    API_KEY_PREFIX,
    BAD_CREDENTIALS,
    AccountLocked,
    AuditKind,
    Forbidden,
    LockoutPolicy,
    NewSession,
    Principal,
    SessionPolicy,
    Unauthenticated,
    User,
    audit_event,
    hash_token,
    normalise_email,
    open_session,
    same_token,
)
from services.api_gateway.protocols import ApiKeyLookup, GatewayUnitOfWork, PasswordHasher

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
    the session's CSRF token.

    An API key (every request of a school's system) is one read of the key and its user, with
    no transaction (``ApiKeyLookup``); its last use is written at most once a minute."""

    def __init__(
        self, uow: GatewayUnitOfWork, clock: Clock, policy: SessionPolicy, keys: ApiKeyLookup
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._keys = keys

    async def execute(self, command: AuthenticateCommand) -> Principal:
        if command.bearer is not None:
            return await self._by_key(command.bearer)
        async with self._uow:
            if command.session_token:
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
        found = await self._keys.key_with_user(hash_token(bearer)) if ours else None
        if found is None:
            raise Unauthenticated(NOT_VALID)
        key, user = found
        if not key.live_at(now) or user.disabled:
            raise Unauthenticated(NOT_VALID)
        stale = key.last_used_at is None or (
            (now - key.last_used_at).total_seconds() >= self._policy.touch_seconds
        )
        if stale:
            await self._keys.touch(key.id, now)
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


@dataclass(frozen=True, slots=True)
class LogInCommand:
    email: str
    password: str
    client_ip: str | None = None


@dataclass(frozen=True, slots=True)
class LogInResult:
    user: User
    new_session: NewSession


class LogIn:
    """Email and password -> a browser session. An unknown email, a wrong password and a
    disabled account get the same 401 after the same work (an Argon2 verification, a counted
    failure, an audit row); 5 failures lock the email (known or not) for 15 minutes."""

    def __init__(
        self,
        uow: GatewayUnitOfWork,
        clock: Clock,
        hasher: PasswordHasher,
        sessions: SessionPolicy,
        lockout: LockoutPolicy,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._sessions = sessions
        self._lockout = lockout

    async def execute(self, command: LogInCommand) -> LogInResult:
        email = normalise_email(command.email)
        now = self._clock.now()
        async with self._uow:
            attempts = await self._uow.login_attempts.get(email)
            user = await self._uow.users.by_email(email)
            if attempts.locked_at(now):
                await self._hasher.verify_nothing(command.password)
                await self._audit(now, "login.failed", email, command, reason="locked")
                await self._uow.commit()
                raise self._locked(attempts.locked_until, now)
            if user is None:
                await self._hasher.verify_nothing(command.password)
                valid = False
            else:
                valid = await self._hasher.verify(user.password_hash, command.password)
            if user is None or not valid or user.disabled:
                await self._fail(email, now, command)
                raise Unauthenticated(BAD_CREDENTIALS)
            await self._uow.login_attempts.clear(email)
            if self._hasher.needs_rehash(user.password_hash):
                rehashed = await self._hasher.hash(command.password)
                await self._uow.users.set_password(user.id, rehashed, now)
            opened = open_session(now, self._sessions, user=user, client_ip=command.client_ip)
            await self._uow.sessions.add(opened.session)
            await self._audit(now, "login.succeeded", email, command, actor_id=user.id)
            await self._uow.commit()
        return LogInResult(user, opened)

    async def _fail(self, email: str, now: datetime, command: LogInCommand) -> None:
        failures = await self._uow.login_attempts.count_failure(email, now)
        await self._audit(now, "login.failed", email, command, reason="bad_credentials")
        if failures >= self._lockout.failures:
            until = now + timedelta(seconds=self._lockout.lock_seconds)
            await self._uow.login_attempts.lock(email, until, now)
            await self._audit(now, "login.locked", email, command, until=until.isoformat())
        await self._uow.commit()

    async def _audit(
        self,
        now: datetime,
        kind: AuditKind,
        email: str,
        command: LogInCommand,
        actor_id: uuid.UUID | None = None,
        **details: Any,
    ) -> None:
        event = audit_event(
            now, kind, actor_id=actor_id, subject=email, client_ip=command.client_ip, **details
        )
        await self._uow.audit.add(event)

    @staticmethod
    def _locked(until: datetime | None, now: datetime) -> AccountLocked:
        seconds = max(1, math.ceil(((until or now) - now).total_seconds()))
        return AccountLocked(
            "too many failed logins: this account is locked for a while; try again later",
            retry_after=seconds,
        )


@dataclass(frozen=True, slots=True)
class LogOutCommand:
    principal: Principal
    session_token: str | None
    client_ip: str | None = None


class LogOut:
    """Kill the session of the cookie server-side (an API key caller has none: a no-op)."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: LogOutCommand) -> None:
        if command.principal.via == "api_key" or not command.session_token:
            return
        now = self._clock.now()
        async with self._uow:
            session = await self._uow.sessions.by_token_hash(hash_token(command.session_token))
            if session is None:
                return
            await self._uow.sessions.revoke(session.id, now)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "logout",
                    actor_id=command.principal.id,
                    subject=command.principal.email,
                    client_ip=command.client_ip,
                )
            )
            await self._uow.commit()
