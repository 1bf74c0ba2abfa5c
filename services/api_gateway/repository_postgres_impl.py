"""api_gateway storage on PostgreSQL (SQLAlchemy Core)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.db import Database, SqlAlchemyUnitOfWork
from service_kit.pagination import Position, keyset_after
from services.api_gateway.domain import (
    ApiKey,
    AuditEvent,
    EmailTaken,
    Invitation,
    LoginAttempts,
    Session,
    User,
)
from services.api_gateway.models_db import (
    ApiKeyRow,
    AuditEventRow,
    InvitationRow,
    LoginAttemptRow,
    SessionRow,
    UserRow,
)

_users = cast(Table, UserRow.__table__)
_attempts = cast(Table, LoginAttemptRow.__table__)
_sessions = cast(Table, SessionRow.__table__)
_keys = cast(Table, ApiKeyRow.__table__)
_invitations = cast(Table, InvitationRow.__table__)
_audit = cast(Table, AuditEventRow.__table__)


def _of(kind: Any, row: Any) -> Any:
    """A domain dataclass from a row whose columns are named like its fields."""
    return kind(**row._mapping)


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, table: Table, kind: Any, *conditions: Any) -> Any:
        row = (await self._session.execute(select(table).where(*conditions))).first()
        return None if row is None else _of(kind, row)


class PostgresUserRepository(_Repository):
    async def add(self, user: User) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(_users.insert().values(**asdict(user)))
        except IntegrityError as exc:
            raise EmailTaken("an account with this email exists", field="email") from exc

    async def get(self, user_id: uuid.UUID) -> User | None:
        return cast(User | None, await self._one(_users, User, _users.c.id == user_id))

    async def by_email(self, email: str) -> User | None:
        return cast(User | None, await self._one(_users, User, _users.c.email == email))

    async def set_password(self, user_id: uuid.UUID, password_hash: str, now: datetime) -> None:
        await self._session.execute(
            update(_users)
            .where(_users.c.id == user_id)
            .values(password_hash=password_hash, updated_at=now)
        )

    async def save(self, user: User) -> None:
        await self._session.execute(
            update(_users)
            .where(_users.c.id == user.id)
            .values(
                role=user.role,
                display_name=user.display_name,
                disabled=user.disabled,
                updated_at=user.updated_at,
            )
        )


class PostgresLoginAttemptRepository(_Repository):
    async def get(self, email: str) -> LoginAttempts:
        statement = select(_attempts.c.email, _attempts.c.failures, _attempts.c.locked_until)
        row = (await self._session.execute(statement.where(_attempts.c.email == email))).first()
        return LoginAttempts(email) if row is None else _of(LoginAttempts, row)

    async def count_failure(self, email: str, now: datetime) -> int:
        statement = (
            insert(_attempts)
            .values(email=email, failures=1, updated_at=now)
            .on_conflict_do_update(
                index_elements=["email"],
                set_={"failures": _attempts.c.failures + 1, "updated_at": now},
            )
            .returning(_attempts.c.failures)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def lock(self, email: str, until: datetime, now: datetime) -> None:
        statement = (
            insert(_attempts)
            .values(email=email, failures=0, locked_until=until, updated_at=now)
            .on_conflict_do_update(
                index_elements=["email"],
                set_={"failures": 0, "locked_until": until, "updated_at": now},
            )
        )
        await self._session.execute(statement)

    async def clear(self, email: str) -> None:
        await self._session.execute(_attempts.delete().where(_attempts.c.email == email))


class PostgresSessionRepository(_Repository):
    async def add(self, session: Session) -> None:
        await self._session.execute(_sessions.insert().values(**asdict(session)))

    async def by_token_hash(self, token_hash: str) -> Session | None:
        found = await self._one(_sessions, Session, _sessions.c.token_hash == token_hash)
        return cast(Session | None, found)

    async def touch(self, session_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(_sessions).where(_sessions.c.id == session_id).values(last_seen_at=now)
        )

    async def revoke(self, session_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(_sessions)
            .where(_sessions.c.id == session_id, _sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all_of_user(self, user_id: uuid.UUID, now: datetime) -> int:
        result = await self._session.execute(
            update(_sessions)
            .where(_sessions.c.user_id == user_id, _sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(cast(Any, result).rowcount)

    async def forget_client_ips(self, before: datetime) -> int:
        result = await self._session.execute(
            update(_sessions)
            .where(_sessions.c.client_ip.is_not(None), _sessions.c.created_at < before)
            .values(client_ip=None)
        )
        return int(cast(Any, result).rowcount)

    async def delete_ended(self, before: datetime) -> int:
        result = await self._session.execute(
            _sessions.delete().where(
                or_(_sessions.c.absolute_expires_at < before, _sessions.c.revoked_at < before)
            )
        )
        return int(cast(Any, result).rowcount)


class PostgresApiKeyRepository(_Repository):
    async def add(self, key: ApiKey) -> None:
        await self._session.execute(_keys.insert().values(**asdict(key)))

    async def get(self, key_id: uuid.UUID) -> ApiKey | None:
        return cast(ApiKey | None, await self._one(_keys, ApiKey, _keys.c.id == key_id))

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        return cast(ApiKey | None, await self._one(_keys, ApiKey, _keys.c.key_hash == key_hash))

    async def of_user(self, user_id: uuid.UUID) -> list[ApiKey]:
        statement = (
            select(_keys).where(_keys.c.user_id == user_id).order_by(_keys.c.created_at, _keys.c.id)
        )
        return [_of(ApiKey, row) for row in await self._session.execute(statement)]

    async def revoke(self, key_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(_keys)
            .where(_keys.c.id == key_id, _keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(_keys).where(_keys.c.id == key_id).values(last_used_at=now)
        )


_KEY_FIELDS = [f.name for f in fields(ApiKey)]
_USER_FIELDS = [f.name for f in fields(User)]
# the key and its user in one statement (no BEGIN/COMMIT: a single read on the raw pool)
_KEY_WITH_USER = (
    "SELECT "
    + ", ".join([f"k.{name} AS k_{name}" for name in _KEY_FIELDS])
    + ", "
    + ", ".join([f"u.{name} AS u_{name}" for name in _USER_FIELDS])
    + " FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1"
)
_TOUCH_KEY = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 RETURNING id"


class PostgresApiKeyLookup:
    """``ApiKeyLookup`` on service_kit's raw asyncpg pool: one round trip per request."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def key_with_user(self, key_hash: str) -> tuple[ApiKey, User] | None:
        row = await self._database.fetchrow(_KEY_WITH_USER, key_hash)
        if row is None:
            return None
        key = ApiKey(**{name: row[f"k_{name}"] for name in _KEY_FIELDS})
        user = User(**{name: row[f"u_{name}"] for name in _USER_FIELDS})
        return key, user

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        await self._database.fetchrow(_TOUCH_KEY, key_id, now)


class PostgresInvitationRepository(_Repository):
    async def add(self, invitation: Invitation) -> None:
        await self._session.execute(_invitations.insert().values(**asdict(invitation)))

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        found = await self._one(_invitations, Invitation, _invitations.c.token_hash == token_hash)
        return cast(Invitation | None, found)

    async def get(self, invitation_id: uuid.UUID) -> Invitation | None:
        found = await self._one(_invitations, Invitation, _invitations.c.id == invitation_id)
        return cast(Invitation | None, found)

    async def mark_accepted(self, invitation_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(_invitations).where(_invitations.c.id == invitation_id).values(accepted_at=now)
        )


class PostgresAuditRepository(_Repository):
    async def add(self, event: AuditEvent) -> None:
        await self._session.execute(_audit.insert().values(**asdict(event)))

    async def page(
        self, after: Position | None, limit: int, kind: str | None = None
    ) -> list[AuditEvent]:
        conditions = keyset_after(_audit.c.at, _audit.c.id, after)
        if kind is not None:
            conditions.append(_audit.c.kind == kind)
        statement = (
            select(_audit).where(*conditions).order_by(_audit.c.at, _audit.c.id).limit(limit)
        )
        return [_of(AuditEvent, row) for row in await self._session.execute(statement)]

    async def forget_client_ips(self, before: datetime) -> int:
        result = await self._session.execute(
            update(_audit)
            .where(_audit.c.client_ip.is_not(None), _audit.c.at < before)
            .values(client_ip=None)
        )
        return int(cast(Any, result).rowcount)


class PostgresGatewayUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.users = PostgresUserRepository(session)
        self.login_attempts = PostgresLoginAttemptRepository(session)
        self.sessions = PostgresSessionRepository(session)
        self.api_keys = PostgresApiKeyRepository(session)
        self.invitations = PostgresInvitationRepository(session)
        self.audit = PostgresAuditRepository(session)
