"""The use cases on memory storage, a settable clock and a cheap Argon2id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from service_kit.clock import SettableClock
from services.api_gateway.domain import (
    InvitationPolicy,
    LockoutPolicy,
    Principal,
    PrivacyPolicy,
    SessionPolicy,
    User,
)
from services.api_gateway.passwords import Argon2idHasher
from services.api_gateway.repository_memory_impl import (
    MemoryApiKeyLookup,
    MemoryGatewayStore,
    MemoryGatewayUnitOfWork,
)
from services.api_gateway.tests.fakes import MemoryBatchOwnership
from services.api_gateway.use_cases import (
    AcceptInvitation,
    Authenticate,
    ChangePassword,
    CreateApiKey,
    CreateUser,
    CreateUserCommand,
    ForgetClientIps,
    GetMe,
    InviteJudge,
    ListApiKeys,
    ListAuditEvents,
    LogIn,
    LogOut,
    RevokeApiKey,
    UpdateUser,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long and uncommon passphrase"
SESSIONS = SessionPolicy(
    idle_seconds=3600, absolute_seconds=12 * 3600, touch_seconds=60, judge_absolute_seconds=3600
)
LOCKOUT = LockoutPolicy(failures=5, lock_seconds=15 * 60)
INVITATIONS = InvitationPolicy("https://essays.example", default_hours=72, max_hours=336)


@dataclass
class Gateway:
    store: MemoryGatewayStore = field(default_factory=MemoryGatewayStore)
    clock: SettableClock = field(default_factory=lambda: SettableClock(T0))
    hasher: Argon2idHasher = field(
        default_factory=lambda: Argon2idHasher(time_cost=1, memory_kib=1024, parallelism=1)
    )
    ownership: MemoryBatchOwnership = field(default_factory=MemoryBatchOwnership)

    @property
    def uow(self) -> MemoryGatewayUnitOfWork:
        return MemoryGatewayUnitOfWork(self.store)

    def authenticate(self) -> Authenticate:
        return Authenticate(self.uow, self.clock, SESSIONS, MemoryApiKeyLookup(self.store))

    def log_in(self) -> LogIn:
        return LogIn(self.uow, self.clock, self.hasher, SESSIONS, LOCKOUT)

    def log_out(self) -> LogOut:
        return LogOut(self.uow, self.clock)

    def get_me(self) -> GetMe:
        return GetMe(self.uow)

    def create_user(self) -> CreateUser:
        return CreateUser(self.uow, self.clock, self.hasher)

    def update_user(self) -> UpdateUser:
        return UpdateUser(self.uow, self.clock)

    def change_password(self) -> ChangePassword:
        return ChangePassword(self.uow, self.clock, self.hasher)

    def create_api_key(self) -> CreateApiKey:
        return CreateApiKey(self.uow, self.clock)

    def list_api_keys(self) -> ListApiKeys:
        return ListApiKeys(self.uow)

    def revoke_api_key(self) -> RevokeApiKey:
        return RevokeApiKey(self.uow, self.clock)

    def invite_judge(self) -> InviteJudge:
        return InviteJudge(self.uow, self.clock, self.ownership, INVITATIONS)

    def accept_invitation(self) -> AcceptInvitation:
        return AcceptInvitation(self.uow, self.clock, SESSIONS)

    def list_audit_events(self) -> ListAuditEvents:
        return ListAuditEvents(self.uow)

    def forget_client_ips(self, days: int = 30) -> ForgetClientIps:
        return ForgetClientIps(self.uow, self.clock, PrivacyPolicy(days))

    async def user(self, role: str = "teacher", email: str | None = None) -> User:
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@school.example"
        return await self.create_user().execute(CreateUserCommand(email, PASSWORD, role))

    async def principal(self, role: str = "teacher") -> Principal:
        return (await self.user(role)).principal("session")

    def audit_kinds(self) -> list[str]:
        """The kinds of the audit events, in the order they were written."""
        return [e.kind for e in self.store.audit.values()]
