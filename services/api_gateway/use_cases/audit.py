"""The audit log: read by admins a page at a time; client IPs forgotten after N days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from service_kit.clock import Clock
from service_kit.pagination import clamp_limit, page, position_after
from services.api_gateway.domain import AuditEvent, Principal, PrivacyPolicy, require_role
from services.api_gateway.protocols import GatewayUnitOfWork


@dataclass(frozen=True, slots=True)
class ListAuditEventsCommand:
    principal: Principal
    cursor: str | None = None
    limit: int | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class ListAuditEventsResult:
    items: list[AuditEvent]
    next_cursor: str | None


class ListAuditEvents:
    """Oldest first, keyset-paginated on (at, id): a page never skips or repeats an event."""

    def __init__(self, uow: GatewayUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListAuditEventsCommand) -> ListAuditEventsResult:
        require_role(command.principal, "admin")
        limit = clamp_limit(command.limit)
        after = position_after(command.cursor)
        async with self._uow:
            found = await self._uow.audit.page(after, limit + 1, command.kind)
        items, next_cursor = page(found, limit, lambda e: (e.at, e.id))
        return ListAuditEventsResult(items, next_cursor)


@dataclass(frozen=True, slots=True)
class ForgetClientIpsCommand:
    pass


@dataclass(frozen=True, slots=True)
class ForgetClientIpsResult:
    audit_events: int
    sessions: int
    sessions_deleted: int = 0


class ForgetClientIps:
    """Erase client IPs older than the retention (audit events and sessions): pupils'
    essays pass through the platform, so who called from where is kept only a while. Ended
    sessions (expired or revoked) older than the retention go too."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock, policy: PrivacyPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def execute(self, command: ForgetClientIpsCommand) -> ForgetClientIpsResult:
        before = self._clock.now() - timedelta(days=self._policy.client_ip_retention_days)
        async with self._uow:
            events = await self._uow.audit.forget_client_ips(before)
            sessions = await self._uow.sessions.forget_client_ips(before)
            deleted = await self._uow.sessions.delete_ended(before)
            await self._uow.commit()
        return ForgetClientIpsResult(events, sessions, deleted)
