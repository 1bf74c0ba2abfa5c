"""The ports api_gateway's use cases are written against: its storage, password hashing, and
the question "does this principal own that batch?" (answered by EDGE's ownership adapter)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from service_kit.pagination import Position
from service_kit.unit_of_work import UnitOfWork
from services.api_gateway.domain import (
    ApiKey,
    AuditEvent,
    Invitation,
    LoginAttempts,
    Principal,
    Session,
    User,
)


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises EmailTaken when an account already has that (lower-cased) email."""
        ...

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def by_email(self, email: str) -> User | None: ...

    async def set_password(self, user_id: uuid.UUID, password_hash: str, now: datetime) -> None: ...

    async def save(self, user: User) -> None:
        """Write the user's role, display name, disabled flag and updated_at."""
        ...


class LoginAttemptRepository(Protocol):
    async def get(self, email: str) -> LoginAttempts: ...

    async def count_failure(self, email: str, now: datetime) -> int:
        """One more failed login for ``email`` (atomic); the failures counted so far."""
        ...

    async def lock(self, email: str, until: datetime, now: datetime) -> None:
        """Lock ``email`` until ``until`` and start counting failures again from zero."""
        ...

    async def clear(self, email: str) -> None: ...


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None: ...

    async def by_token_hash(self, token_hash: str) -> Session | None: ...

    async def touch(self, session_id: uuid.UUID, now: datetime) -> None: ...

    async def revoke(self, session_id: uuid.UUID, now: datetime) -> None: ...

    async def revoke_all_of_user(self, user_id: uuid.UUID, now: datetime) -> int: ...

    async def forget_client_ips(self, before: datetime) -> int:
        """Erase the client IP of sessions created before ``before``; how many were erased."""
        ...

    async def delete_ended(self, before: datetime) -> int:
        """Delete sessions that expired or were revoked before ``before``."""
        ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def get(self, key_id: uuid.UUID) -> ApiKey | None: ...

    async def by_hash(self, key_hash: str) -> ApiKey | None: ...

    async def of_user(self, user_id: uuid.UUID) -> list[ApiKey]:
        """The user's keys, revoked ones included, oldest first."""
        ...

    async def revoke(self, key_id: uuid.UUID, now: datetime) -> None: ...

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None: ...


class ApiKeyLookup(Protocol):
    """The hot path of every request made with an API key, outside any unit of work: the key
    and its user in one read, and the last-use write (when due) as one statement."""

    async def key_with_user(self, key_hash: str) -> tuple[ApiKey, User] | None:
        """The key with this hash (revoked or expired ones included) and its user."""
        ...

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None: ...


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation) -> None: ...

    async def by_token_hash(self, token_hash: str) -> Invitation | None: ...

    async def get(self, invitation_id: uuid.UUID) -> Invitation | None: ...

    async def mark_accepted(self, invitation_id: uuid.UUID, now: datetime) -> None: ...


class AuditRepository(Protocol):
    async def add(self, event: AuditEvent) -> None: ...

    async def page(
        self, after: Position | None, limit: int, kind: str | None = None
    ) -> list[AuditEvent]:
        """Events in (at, id) order after ``after``, at most ``limit``, of ``kind`` if given."""
        ...

    async def forget_client_ips(self, before: datetime) -> int: ...


class GatewayUnitOfWork(UnitOfWork, Protocol):
    """The gateway's repositories sharing one transaction, rolled back unless committed."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def login_attempts(self) -> LoginAttemptRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

    @property
    def audit(self) -> AuditRepository: ...


class PasswordHasher(Protocol):
    """Argon2id in production (passwords.py); slow on purpose, so async (a worker thread)."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_nothing(self, password: str) -> None:
        """Spend the time ``verify`` would (a login for an email with no account)."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class BatchOwnership(Protocol):
    """May ``principal`` act on batch ``batch_id``? EDGE implements it against
    batch_orchestrator; the answer for a batch that does not exist is False too (the caller
    then says 404 either way). CORE asks it before inviting judges to a batch."""

    async def owns_batch(self, principal: Principal, batch_id: str) -> bool: ...
