"""The credential of the current Quart request -> the Principal, for every route (CORE's and
EDGE's): ``principal = await current_principal()``.

Reads the session cookie or ``Authorization: Bearer <API key>``, resolves ``Authenticate``
from the request's dishka container and remembers the answer on ``g.principal`` (EDGE's
analytics read it there after the request). Raises service_kit DomainErrors: 401 without a
valid credential, 403 for a cookie-authenticated unsafe method without its X-CSRF-Token.
"""

from __future__ import annotations

from typing import cast

from dishka import AsyncContainer
from quart import current_app, g, request

from services.api_gateway.config import Settings
from services.api_gateway.domain import Principal, Role, Unauthenticated
from services.api_gateway.domain import require_role as _require_role
from services.api_gateway.use_cases import Authenticate, AuthenticateCommand

CSRF_HEADER = "X-CSRF-Token"


def settings() -> Settings:
    return cast(Settings, current_app.config["SETTINGS"])


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header; 401 for any other scheme."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <API key>'")
    return value.strip()


def session_token() -> str | None:
    return request.cookies.get(settings().session_cookie_name) or None


def client_ip() -> str | None:
    """The caller's address: the first X-Forwarded-For hop behind a trusted proxy."""
    if settings().trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        forwarded = "".join(c for c in forwarded if c.isprintable())[:64]
        if forwarded:
            return forwarded
    return request.remote_addr


async def current_principal() -> Principal:
    """The authenticated caller of this request (cached for the request)."""
    known = g.get("principal")
    if known is not None:
        return cast(Principal, known)
    container = cast(AsyncContainer, g.dishka_container)
    authenticate = await container.get(Authenticate)
    principal = await authenticate.execute(
        AuthenticateCommand(
            method=request.method,
            session_token=session_token(),
            bearer=bearer_token(),
            csrf_token=request.headers.get(CSRF_HEADER),
        )
    )
    g.principal = principal
    return principal


def require_role(principal: Principal, role: Role) -> None:
    """403 unless ``principal`` is a user with ``role`` (admins pass every role check)."""
    _require_role(principal, role)
