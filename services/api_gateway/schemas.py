"""api_gateway's HTTP request and response models (pydantic), built from domain objects with
``model_validate`` (from_attributes). Secrets (passwords) come in, never go out; API keys and
invitation tokens go out once, in the answer that made them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it here (422), not as a database error (500)
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FromDomain(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- sessions ---------------------------------------------------------------------------------


class LoginIn(_In):
    email: Text = Field(max_length=320)
    password: Text = Field(max_length=1024)


class MeOut(_FromDomain):
    id: uuid.UUID
    kind: str = "user"
    email: str | None
    role: str | None
    display_name: str | None
    judge_batch_id: str | None = None


class SessionOut(BaseModel):
    """A session just opened (the cookie carries its token): who, and the CSRF token every
    unsafe request of this session must send as X-CSRF-Token."""

    user: MeOut
    csrf_token: str
    expires_at: datetime


class PasswordChangeIn(_In):
    current_password: Text = Field(max_length=1024)
    new_password: Text = Field(max_length=1024)


# ---- users ------------------------------------------------------------------------------------


class UserIn(_In):
    email: Text = Field(max_length=320)
    password: Text = Field(max_length=1024)
    role: Text = Field(max_length=32)
    display_name: Text | None = Field(default=None, max_length=200)


class UserPatch(_In):
    role: Text | None = Field(default=None, max_length=32)
    display_name: Text | None = Field(default=None, max_length=200)
    disabled: bool | None = None


class UserOut(_FromDomain):
    id: uuid.UUID
    email: str
    role: str
    display_name: str | None
    disabled: bool
    created_at: datetime


# ---- API keys ---------------------------------------------------------------------------------


class ApiKeyIn(_In):
    name: Text = Field(max_length=200)
    expires_at: datetime | None = None


class ApiKeyOut(_FromDomain):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str  # the whole key: this answer is the only time it is shown


class ApiKeyList(BaseModel):
    items: list[ApiKeyOut]


# ---- judges -----------------------------------------------------------------------------------


class InvitationIn(_In):
    email: Text | None = Field(default=None, max_length=320)
    expires_in_hours: float | None = Field(default=None, gt=0)


class InvitationOut(BaseModel):
    id: uuid.UUID
    url: str
    token: str  # shown once
    expires_at: datetime
    judge_id: uuid.UUID


class InvitationAcceptIn(_In):
    token: Text = Field(min_length=1, max_length=200)


# ---- audit ------------------------------------------------------------------------------------


class AuditQuery(BaseModel):
    cursor: Text | None = Field(default=None, max_length=500)
    limit: int | None = None
    kind: Text | None = Field(default=None, max_length=64)


class AuditEventOut(_FromDomain):
    id: uuid.UUID
    at: datetime
    kind: str
    actor_id: uuid.UUID | None
    subject: str | None
    client_ip: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None
