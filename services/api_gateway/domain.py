"""The gateway's domain: who is calling (Principal), accounts, credentials, the rules on them.

Pure Python: no Quart, SQLAlchemy or argon2 here (hashing passwords is a port, protocols.py).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from service_kit.errors import Conflict, DomainError, InvalidInput
from services.api_gateway.common_passwords import COMMON_PASSWORDS

Role = Literal["admin", "teacher"]
ROLES: tuple[Role, ...] = ("admin", "teacher")
PrincipalKind = Literal["user", "judge"]
Via = Literal["session", "api_key", "judge_session"]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # Argon2 takes any length; this bounds the work one request costs
TOKEN_BYTES = 32  # 256 bits of randomness in every session token, API key and invitation
API_KEY_PREFIX = "egk_"  # "essay gateway key": greppable in logs and secret scanners
API_KEY_VISIBLE = len(API_KEY_PREFIX) + 8  # what a listing shows of a key


# ---- who is calling -------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request.

    A user (admin or teacher) through a browser session or an API key, or a judge through a
    judge-only session that may act only on ``judge_batch_id``'s assessment.
    """

    id: uuid.UUID
    kind: PrincipalKind
    role: Role | None
    email: str | None
    via: Via
    judge_batch_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind == "user" and self.role == "admin"


# ---- errors (problem+json through service_kit) -------------------------------------------------


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class EmailTaken(Conflict):
    title = "Email taken"


class AccountLocked(DomainError):
    status = 423
    title = "Account locked"


BAD_CREDENTIALS = "the email or password is wrong"  # one answer for every failed login


def require_role(principal: Principal, role: Role) -> None:
    """403 unless ``principal`` is a user with ``role`` (an admin passes every role check)."""
    if principal.kind != "user" or (principal.role != role and not principal.is_admin):
        raise Forbidden(f"this needs the {role} role")


def require_user(principal: Principal) -> uuid.UUID:
    """403 for a judge-only session: accounts, keys and invitations are for users."""
    if principal.kind != "user":
        raise Forbidden("a judge session can only judge its assessment")
    return principal.id


# ---- accounts ---------------------------------------------------------------------------------


@dataclass
class User:
    id: uuid.UUID
    email: str
    display_name: str | None
    role: Role
    password_hash: str
    disabled: bool
    created_at: datetime
    updated_at: datetime

    def principal(self, via: Via) -> Principal:
        return Principal(self.id, "user", self.role, self.email, via)


@dataclass
class LoginAttempts:
    """Failed logins per email, known or not: an unknown email locks like a known one, so a
    lockout says nothing about which accounts exist."""

    email: str
    failures: int = 0
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively: stored and looked up lower-cased and stripped."""
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normalise_email(email)
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or len(email) > 320 or " " in email:
        raise InvalidInput("the email address is not valid", field="email")
    return email


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    return role


def check_password(password: str, email: str | None = None) -> None:
    """At least 12 characters, not a well-known password, not the email itself."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password must be at most {MAX_PASSWORD_LENGTH} characters", field="password"
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise InvalidInput("the password is too common; choose another", field="password")
    if email and lowered in {normalise_email(email), normalise_email(email).split("@")[0]}:
        raise InvalidInput("the password must not be the email address", field="password")


# ---- credentials ------------------------------------------------------------------------------


def new_token(prefix: str = "") -> str:
    """A fresh bearer secret: 256 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What is stored of a session token, API key or invitation token: its SHA-256. The
    tokens carry 256 random bits, so a fast hash is enough (no dictionary to try)."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(token: str, stored_hash: str) -> bool:
    return secrets.compare_digest(hash_token(token), stored_hash)


@dataclass
class Session:
    """A browser session (kind user) or a judge-only session (kind judge)."""

    id: uuid.UUID
    token_hash: str
    csrf_hash: str
    kind: PrincipalKind
    principal_id: uuid.UUID  # the user's id, or the judge's (the invitation's judge_id)
    user_id: uuid.UUID | None
    invitation_id: uuid.UUID | None
    judge_batch_id: str | None
    created_at: datetime
    last_seen_at: datetime
    absolute_expires_at: datetime
    revoked_at: datetime | None = None
    client_ip: str | None = None

    def live_at(self, now: datetime, idle_seconds: float) -> bool:
        if self.revoked_at is not None or now >= self.absolute_expires_at:
            return False
        return (now - self.last_seen_at).total_seconds() < idle_seconds


@dataclass
class ApiKey:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str  # the first characters of the key, shown in listings
    key_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def live_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass
class Invitation:
    """A teacher's invitation to judge one batch's assessment; its link can be opened until it
    expires or is revoked, each time giving the same judge identity a new judge-only session."""

    id: uuid.UUID
    batch_id: str
    invited_by: uuid.UUID
    email: str | None
    token_hash: str
    judge_id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None

    def open_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


# ---- the audit log ----------------------------------------------------------------------------

AuditKind = Literal[
    "login.succeeded",
    "login.failed",
    "login.locked",
    "logout",
    "password.changed",
    "api_key.created",
    "api_key.revoked",
    "invitation.created",
    "invitation.accepted",
    "user.created",
    "user.updated",
]


@dataclass
class AuditEvent:
    id: uuid.UUID
    at: datetime
    kind: AuditKind
    actor_id: uuid.UUID | None  # who did it (None: nobody authenticated, e.g. a failed login)
    subject: str | None  # what it was about: an email, a key id, a batch id
    client_ip: str | None
    details: dict[str, Any] = field(default_factory=dict)


def audit_event(
    now: datetime,
    kind: AuditKind,
    *,
    actor_id: uuid.UUID | None = None,
    subject: str | None = None,
    client_ip: str | None = None,
    **details: Any,
) -> AuditEvent:
    return AuditEvent(uuid.uuid4(), now, kind, actor_id, subject, client_ip, details)


# ---- policies (settings pieces the use cases take, provided by di.py) -------------------------


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: float
    absolute_seconds: float
    touch_seconds: float  # last_seen_at is written at most this often
    judge_absolute_seconds: float


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int
    lock_seconds: float


@dataclass(frozen=True)
class InvitationPolicy:
    public_base_url: str
    default_hours: float
    max_hours: float


@dataclass(frozen=True)
class PrivacyPolicy:
    client_ip_retention_days: int


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just opened: the cookie's token and the CSRF token, shown only now."""

    token: str
    csrf_token: str
    session: Session


def open_session(
    now: datetime,
    policy: SessionPolicy,
    *,
    user: User | None = None,
    invitation: Invitation | None = None,
    client_ip: str | None = None,
) -> NewSession:
    """A user's session, or (``invitation``) a judge-only session as that invitation's judge."""
    token, csrf = new_token(), new_token()
    kind: PrincipalKind
    if user is not None:
        kind, principal_id, user_id, invitation_id, batch_id = "user", user.id, user.id, None, None
        expires = now + timedelta(seconds=policy.absolute_seconds)
    elif invitation is not None:
        kind, principal_id, user_id = "judge", invitation.judge_id, None
        invitation_id, batch_id = invitation.id, invitation.batch_id
        judge_end = now + timedelta(seconds=policy.judge_absolute_seconds)
        expires = min(judge_end, invitation.expires_at)
    else:
        raise ValueError("a session is for a user or an invitation")
    session = Session(
        id=uuid.uuid4(),
        token_hash=hash_token(token),
        csrf_hash=hash_token(csrf),
        kind=kind,
        principal_id=principal_id,
        user_id=user_id,
        invitation_id=invitation_id,
        judge_batch_id=batch_id,
        created_at=now,
        last_seen_at=now,
        absolute_expires_at=expires,
        client_ip=client_ip,
    )
    return NewSession(token, csrf, session)
