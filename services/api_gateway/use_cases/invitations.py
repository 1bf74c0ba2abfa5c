"""Judges: a teacher invites a colleague to judge one batch's assessment; the link opens a
judge-only session scoped to that batch, as the invitation's own judge identity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from service_kit.clock import Clock
from service_kit.errors import InvalidInput, NotFound
from services.api_gateway.domain import (
    Invitation,
    InvitationPolicy,
    NewSession,
    Principal,
    SessionPolicy,
    Unauthenticated,
    audit_event,
    check_email,
    hash_token,
    new_token,
    open_session,
    require_role,
)
from services.api_gateway.protocols import BatchOwnership, GatewayUnitOfWork

NO_SUCH_BATCH = "no such batch"
INVITATION_NOT_VALID = "the invitation is not valid (expired, revoked or unknown)"


@dataclass(frozen=True, slots=True)
class InviteJudgeCommand:
    principal: Principal
    batch_id: str
    email: str | None = None
    expires_in_hours: float | None = None
    client_ip: str | None = None


@dataclass(frozen=True, slots=True)
class InviteJudgeResult:
    invitation: Invitation
    token: str  # shown in this answer only
    url: str


class InviteJudge:
    def __init__(
        self,
        uow: GatewayUnitOfWork,
        clock: Clock,
        ownership: BatchOwnership,
        policy: InvitationPolicy,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ownership = ownership
        self._policy = policy

    async def execute(self, command: InviteJudgeCommand) -> InviteJudgeResult:
        require_role(command.principal, "teacher")
        if not command.batch_id or len(command.batch_id) > 64 or "\x00" in command.batch_id:
            raise NotFound(NO_SUCH_BATCH)
        if not await self._ownership.owns_batch(command.principal, command.batch_id):
            raise NotFound(NO_SUCH_BATCH)  # a stranger's batch reads as a missing one
        hours = command.expires_in_hours or self._policy.default_hours
        if not 0 < hours <= self._policy.max_hours:
            raise InvalidInput(
                f"expires_in_hours must be above 0 and at most {self._policy.max_hours:g}",
                field="expires_in_hours",
            )
        email = check_email(command.email) if command.email else None
        now = self._clock.now()
        token = new_token()
        invitation = Invitation(
            id=uuid.uuid4(),
            batch_id=command.batch_id,
            invited_by=command.principal.id,
            email=email,
            token_hash=hash_token(token),
            judge_id=uuid.uuid4(),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        async with self._uow:
            await self._uow.invitations.add(invitation)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "invitation.created",
                    actor_id=command.principal.id,
                    subject=command.batch_id,
                    client_ip=command.client_ip,
                    invitation_id=str(invitation.id),
                    judge_id=str(invitation.judge_id),
                    email=email,
                )
            )
            await self._uow.commit()
        # the token rides in the fragment: browsers never send it to a server or a Referer
        url = f"{self._policy.public_base_url}/judge#invitation={token}"
        return InviteJudgeResult(invitation, token, url)


@dataclass(frozen=True, slots=True)
class AcceptInvitationCommand:
    token: str
    client_ip: str | None = None


@dataclass(frozen=True, slots=True)
class AcceptInvitationResult:
    principal: Principal
    new_session: NewSession
    expires_at: datetime


class AcceptInvitation:
    """The invitation's token -> a judge-only session on its batch (401 if not valid)."""

    def __init__(self, uow: GatewayUnitOfWork, clock: Clock, policy: SessionPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def execute(self, command: AcceptInvitationCommand) -> AcceptInvitationResult:
        now = self._clock.now()
        async with self._uow:
            invitation = await self._uow.invitations.by_token_hash(hash_token(command.token))
            if invitation is None or not invitation.open_at(now):
                raise Unauthenticated(INVITATION_NOT_VALID)
            opened = open_session(
                now, self._policy, invitation=invitation, client_ip=command.client_ip
            )
            await self._uow.sessions.add(opened.session)
            await self._uow.invitations.mark_accepted(invitation.id, now)
            await self._uow.audit.add(
                audit_event(
                    now,
                    "invitation.accepted",
                    actor_id=invitation.judge_id,
                    subject=invitation.batch_id,
                    client_ip=command.client_ip,
                    invitation_id=str(invitation.id),
                )
            )
            await self._uow.commit()
        principal = Principal(
            invitation.judge_id,
            "judge",
            None,
            invitation.email,
            "judge_session",
            invitation.batch_id,
        )
        return AcceptInvitationResult(principal, opened, opened.session.absolute_expires_at)
