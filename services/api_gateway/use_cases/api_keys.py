"""API keys for systems: made (shown once), listed, revoked; each user sees only their own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from service_kit.clock import Clock
from service_kit.errors import InvalidInput, NotFound
from services.api_gateway.domain import (
    API_KEY_PREFIX,
    API_KEY_VISIBLE,
    ApiKey,
    Principal,
    audit_event,
    hash_token,
    new_token,
    require_user,
)
from services.api_gateway.protocols import GatewayUnitOfWork

NO_SUCH_KEY = "no such API key"


@dataclass(frozen=True, slots=True)
class CreateApiKeyCommand:
    principal: Principal
    name: str
    expires_at: datetime | None = None
    client_ip: str | None = None


@dataclass(frozen=True, slots=True)
class CreateApiKeyResult:
    key: ApiKey
    secret: str  # the whole key: shown in this answer only, never stored


class CreateApiKey:
    def __init__(self, uow: GatewayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: CreateApiKeyCommand) -> CreateApiKeyResult:
        user_id = require_user(command.principal)
        now = self._clock.now()
        name = command.name.strip()
        if not name or len(name) > 200:
            raise InvalidInput("name must be 1 to 200 characters", field="name")
        expires_at = command.expires_at
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise InvalidInput("expires_at needs a time zone", field="expires_at")
            if expires_at <= now:
                raise InvalidInput("expires_at must be in the future", field="expires_at")
        secret = new_token(API_KEY_PREFIX)
        key = ApiKey(
            id=uuid.uuid4(),
            user_id=user_id,
            name=name,
            prefix=secret[:API_KEY_VISIBLE],
            key_hash=hash_token(secret),
            created_at=now,
            expires_at=expires_at,
        )
        async with self._uow:
            await self._uow.api_keys.add(key)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "api_key.created",
                    actor_id=user_id,
                    subject=str(key.id),
                    client_ip=command.client_ip,
                    name=name,
                    prefix=key.prefix,
                )
            )
            await self._uow.commit()
        return CreateApiKeyResult(key, secret)


@dataclass(frozen=True, slots=True)
class ListApiKeysCommand:
    principal: Principal


class ListApiKeys:
    def __init__(self, uow: GatewayUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListApiKeysCommand) -> list[ApiKey]:
        user_id = require_user(command.principal)
        async with self._uow:
            return await self._uow.api_keys.of_user(user_id)


@dataclass(frozen=True, slots=True)
class RevokeApiKeyCommand:
    principal: Principal
    key_id: uuid.UUID
    client_ip: str | None = None


class RevokeApiKey:
    """Revoke one of the caller's keys; another user's key is 404, like a missing one.
    Revoking an already revoked key is a no-op."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: RevokeApiKeyCommand) -> None:
        user_id = require_user(command.principal)
        now = self._clock.now()
        async with self._uow:
            key = await self._uow.api_keys.get(command.key_id)
            if key is None or key.user_id != user_id:
                raise NotFound(NO_SUCH_KEY)
            if key.revoked_at is not None:
                return
            await self._uow.api_keys.revoke(key.id, now)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "api_key.revoked",
                    actor_id=user_id,
                    subject=str(key.id),
                    client_ip=command.client_ip,
                    prefix=key.prefix,
                )
            )
            await self._uow.commit()
