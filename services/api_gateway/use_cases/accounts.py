"""Accounts: who I am, creating users (admin, CLI), changing one's password."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service_kit.errors import NotFound
from services.api_gateway.domain import Principal, User
from services.api_gateway.protocols import GatewayUnitOfWork


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
