"""api_gateway storage in memory: the same contract, for unit tests.

Rows are replaced (``dataclasses.replace``), never changed in place, so the unit of work's
snapshots roll them back like the database would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from service_kit.memory import MemoryUnitOfWork
from service_kit.pagination import Position, keyset_page_of
from services.api_gateway.domain import (
    ApiKey,
    AuditEvent,
    EmailTaken,
    Invitation,
    LoginAttempts,
    Session,
    User,
)


@dataclass
class MemoryGatewayStore:
    """What the database would hold; shared by every unit of work of one app."""

    users: dict[uuid.UUID, User] = field(default_factory=dict)
    login_attempts: dict[str, LoginAttempts] = field(default_factory=dict)
    sessions: dict[uuid.UUID, Session] = field(default_factory=dict)
    api_keys: dict[uuid.UUID, ApiKey] = field(default_factory=dict)
    invitations: dict[uuid.UUID, Invitation] = field(default_factory=dict)
    audit: dict[uuid.UUID, AuditEvent] = field(default_factory=dict)
    calls: dict[str, tuple[str, str, Any]] = field(default_factory=dict)


class _Repository:
    def __init__(self, store: MemoryGatewayStore) -> None:
        self._store = store


class MemoryUserRepository(_Repository):
    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self._store.users.values()):
            raise EmailTaken("an account with this email exists", field="email")
        self._store.users[user.id] = replace(user)

    async def get(self, user_id: uuid.UUID) -> User | None:
        return self._store.users.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((u for u in self._store.users.values() if u.email == email), None)

    async def set_password(self, user_id: uuid.UUID, password_hash: str, now: datetime) -> None:
        user = self._store.users[user_id]
        self._store.users[user_id] = replace(user, password_hash=password_hash, updated_at=now)

    async def save(self, user: User) -> None:
        self._store.users[user.id] = replace(user)


class MemoryLoginAttemptRepository(_Repository):
    async def get(self, email: str) -> LoginAttempts:
        return self._store.login_attempts.get(email) or LoginAttempts(email)

    async def count_failure(self, email: str, now: datetime) -> int:
        current = await self.get(email)
        self._store.login_attempts[email] = replace(current, failures=current.failures + 1)
        return current.failures + 1

    async def lock(self, email: str, until: datetime, now: datetime) -> None:
        self._store.login_attempts[email] = LoginAttempts(email, 0, until)

    async def clear(self, email: str) -> None:
        self._store.login_attempts.pop(email, None)


class MemorySessionRepository(_Repository):
    async def add(self, session: Session) -> None:
        self._store.sessions[session.id] = replace(session)

    async def by_token_hash(self, token_hash: str) -> Session | None:
        return next((s for s in self._store.sessions.values() if s.token_hash == token_hash), None)

    async def touch(self, session_id: uuid.UUID, now: datetime) -> None:
        session = self._store.sessions[session_id]
        self._store.sessions[session_id] = replace(session, last_seen_at=now)

    async def revoke(self, session_id: uuid.UUID, now: datetime) -> None:
        session = self._store.sessions[session_id]
        if session.revoked_at is None:
            self._store.sessions[session_id] = replace(session, revoked_at=now)

    async def revoke_all_of_user(self, user_id: uuid.UUID, now: datetime) -> int:
        live = [
            s for s in self._store.sessions.values() if s.user_id == user_id and not s.revoked_at
        ]
        for session in live:
            self._store.sessions[session.id] = replace(session, revoked_at=now)
        return len(live)

    async def forget_client_ips(self, before: datetime) -> int:
        old = [s for s in self._store.sessions.values() if s.client_ip and s.created_at < before]
        for session in old:
            self._store.sessions[session.id] = replace(session, client_ip=None)
        return len(old)

    async def delete_ended(self, before: datetime) -> int:
        ended = [
            s.id
            for s in self._store.sessions.values()
            if s.absolute_expires_at < before or (s.revoked_at and s.revoked_at < before)
        ]
        for session_id in ended:
            del self._store.sessions[session_id]
        return len(ended)


class MemoryApiKeyRepository(_Repository):
    async def add(self, key: ApiKey) -> None:
        self._store.api_keys[key.id] = replace(key)

    async def get(self, key_id: uuid.UUID) -> ApiKey | None:
        return self._store.api_keys.get(key_id)

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        return next((k for k in self._store.api_keys.values() if k.key_hash == key_hash), None)

    async def of_user(self, user_id: uuid.UUID) -> list[ApiKey]:
        keys = [k for k in self._store.api_keys.values() if k.user_id == user_id]
        return sorted(keys, key=lambda k: (k.created_at, k.id))

    async def revoke(self, key_id: uuid.UUID, now: datetime) -> None:
        key = self._store.api_keys[key_id]
        if key.revoked_at is None:
            self._store.api_keys[key_id] = replace(key, revoked_at=now)

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        key = self._store.api_keys[key_id]
        self._store.api_keys[key_id] = replace(key, last_used_at=now)


class MemoryApiKeyLookup(_Repository):
    """``ApiKeyLookup`` on the store (outside any unit of work, like the database's)."""

    async def key_with_user(self, key_hash: str) -> tuple[ApiKey, User] | None:
        key = next((k for k in self._store.api_keys.values() if k.key_hash == key_hash), None)
        user = self._store.users.get(key.user_id) if key is not None else None
        return None if key is None or user is None else (key, user)

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        key = self._store.api_keys[key_id]
        self._store.api_keys[key_id] = replace(key, last_used_at=now)


class MemoryInvitationRepository(_Repository):
    async def add(self, invitation: Invitation) -> None:
        self._store.invitations[invitation.id] = replace(invitation)

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        return next(
            (i for i in self._store.invitations.values() if i.token_hash == token_hash), None
        )

    async def get(self, invitation_id: uuid.UUID) -> Invitation | None:
        return self._store.invitations.get(invitation_id)

    async def mark_accepted(self, invitation_id: uuid.UUID, now: datetime) -> None:
        invitation = self._store.invitations[invitation_id]
        self._store.invitations[invitation_id] = replace(invitation, accepted_at=now)


class MemoryAuditRepository(_Repository):
    async def add(self, event: AuditEvent) -> None:
        self._store.audit[event.id] = replace(event)

    async def page(
        self, after: Position | None, limit: int, kind: str | None = None
    ) -> list[AuditEvent]:
        return keyset_page_of(
            (e for e in self._store.audit.values() if kind is None or e.kind == kind),
            lambda e: (e.at, e.id),
            after,
            limit,
        )

    async def forget_client_ips(self, before: datetime) -> int:
        old = [e for e in self._store.audit.values() if e.client_ip and e.at < before]
        for event in old:
            self._store.audit[event.id] = replace(event, client_ip=None)
        return len(old)


class MemoryGatewayUnitOfWork(MemoryUnitOfWork[MemoryGatewayStore]):
    def __init__(self, store: MemoryGatewayStore) -> None:
        super().__init__(store)
        self.users = MemoryUserRepository(store)
        self.login_attempts = MemoryLoginAttemptRepository(store)
        self.sessions = MemorySessionRepository(store)
        self.api_keys = MemoryApiKeyRepository(store)
        self.invitations = MemoryInvitationRepository(store)
        self.audit = MemoryAuditRepository(store)
