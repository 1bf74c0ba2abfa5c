"""Accounts: who I am, creating users (admin, command line), changing one's password."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from service_kit.clock import Clock
from service_kit.errors import InvalidInput, NotFound
from services.api_gateway.domain import (
    Forbidden,
    Principal,
    User,
    audit_event,
    check_email,
    check_password,
    check_role,
    require_role,
    require_user,
)
from services.api_gateway.protocols import GatewayUnitOfWork, PasswordHasher


@dataclass(frozen=True, slots=True)
class GetMeCommand:
    principal: Principal


@dataclass(frozen=True, slots=True)
class GetMeResult:
    id: uuid.UUID
    kind: str
    email: str | None
    role: str | None
    display_name: str | None
    judge_batch_id: str | None


class GetMe:
    def __init__(self, uow: GatewayUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetMeCommand) -> GetMeResult:
        principal = command.principal
        if principal.kind == "judge":
            return GetMeResult(principal.id, "judge", None, None, None, principal.judge_batch_id)
        async with self._uow:
            user: User | None = await self._uow.users.get(principal.id)
        if user is None:
            raise NotFound("no such user")
        return GetMeResult(user.id, "user", user.email, user.role, user.display_name, None)


@dataclass(frozen=True, slots=True)
class CreateUserCommand:
    email: str
    password: str
    role: str
    display_name: str | None = None
    actor: Principal | None = None  # None: the command line (whoever runs it holds the server)
    client_ip: str | None = None


class CreateUser:
    """An account, made by an admin (POST /v1/admin/users) or on the command line."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock, hasher: PasswordHasher) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher

    async def execute(self, command: CreateUserCommand) -> User:
        if command.actor is not None:
            require_role(command.actor, "admin")
        email = check_email(command.email)
        role = check_role(command.role)
        check_password(command.password, email)
        display_name = (command.display_name or "").strip() or None
        now = self._clock.now()
        user = User(
            id=uuid.uuid4(),
            email=email,
            display_name=display_name,
            role=role,
            password_hash=await self._hasher.hash(command.password),
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        async with self._uow:
            await self._uow.users.add(user)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "user.created",
                    actor_id=command.actor.id if command.actor else None,
                    subject=email,
                    client_ip=command.client_ip,
                    user_id=str(user.id),
                    role=role,
                    via="api" if command.actor else "cli",
                )
            )
            await self._uow.commit()
        return user


@dataclass(frozen=True, slots=True)
class ChangePasswordCommand:
    principal: Principal
    current_password: str
    new_password: str
    client_ip: str | None = None


class ChangePassword:
    """The user's own password, given the current one; every session of the user ends (the
    caller logs in again), API keys stay."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock, hasher: PasswordHasher) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher

    async def execute(self, command: ChangePasswordCommand) -> int:
        user_id = require_user(command.principal)
        async with self._uow:
            user = await self._uow.users.get(user_id)
        if user is None:
            raise NotFound("no such user")
        if not await self._hasher.verify(user.password_hash, command.current_password):
            raise Forbidden("the current password is wrong")
        check_password(command.new_password, user.email)
        if command.new_password == command.current_password:
            raise InvalidInput("the new password must differ from the current one")
        new_hash = await self._hasher.hash(command.new_password)
        now = self._clock.now()
        async with self._uow:
            await self._uow.users.set_password(user.id, new_hash, now)
            ended = await self._uow.sessions.revoke_all_of_user(user.id, now)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "password.changed",
                    actor_id=user.id,
                    subject=user.email,
                    client_ip=command.client_ip,
                    sessions_ended=ended,
                )
            )
            await self._uow.commit()
        return ended


@dataclass(frozen=True, slots=True)
class UpdateUserCommand:
    actor: Principal
    user_id: uuid.UUID
    role: str | None = None  # None: unchanged
    display_name: str | None = None
    disabled: bool | None = None
    client_ip: str | None = None


class UpdateUser:
    """An admin changes a user's role, display name or disabled flag. Disabling ends the
    user's sessions (their API keys stop working while disabled). An admin cannot disable or
    demote themselves (the last admin would lock everyone out)."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: UpdateUserCommand) -> User:
        require_role(command.actor, "admin")
        role = check_role(command.role) if command.role is not None else None
        if command.user_id == command.actor.id and (command.disabled or role == "teacher"):
            raise InvalidInput("an admin cannot disable or demote themselves")
        now = self._clock.now()
        async with self._uow:
            user = await self._uow.users.get(command.user_id)
            if user is None:
                raise NotFound("no such user")
            updated = dataclasses.replace(
                user,
                role=role or user.role,
                display_name=user.display_name
                if command.display_name is None
                else (command.display_name.strip() or None),
                disabled=user.disabled if command.disabled is None else command.disabled,
            )
            changes = {
                name: getattr(updated, name)
                for name in ("role", "display_name", "disabled")
                if getattr(updated, name) != getattr(user, name)
            }
            if not changes:
                return user
            updated.updated_at = now
            await self._uow.users.save(updated)
            if updated.disabled:
                await self._uow.sessions.revoke_all_of_user(user.id, now)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "user.updated",
                    actor_id=command.actor.id,
                    subject=user.email,
                    client_ip=command.client_ip,
                    user_id=str(user.id),
                    changes=changes,
                )
            )
            await self._uow.commit()
        return updated
