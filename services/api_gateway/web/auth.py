"""Who is calling a page: the gateway's own ``Authenticate`` (the same sessions as the API),
with the CSRF token taken from a form's hidden ``csrf_token`` field as well as from the
``X-CSRF-Token`` header (a script's fetch).

An HTML form cannot send a header, and the gateway keeps only the hash of a session's CSRF
token, so at sign-in the web app also sets the ``gw_csrf`` cookie (HttpOnly, SameSite=Lax)
holding the token; pages copy it into their forms and into ``<meta name="csrf-token">``. A
cross-site page can neither read that cookie nor the page, so it cannot forge the field; the
gateway checks the field against the session exactly as it checks the header."""

from __future__ import annotations

from typing import cast

from dishka import AsyncContainer
from quart import g, request

from services.api_gateway.authn import CSRF_HEADER, bearer_token, session_token, settings
from services.api_gateway.domain import Principal, Unauthenticated
from services.api_gateway.use_cases import Authenticate, AuthenticateCommand

CSRF_COOKIE = "gw_csrf"
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """A page asked for without a live session: the page answers with the sign-in page."""


def container() -> AsyncContainer:
    return cast(AsyncContainer, g.dishka_container)


def csrf_token() -> str:
    """The CSRF token of this browser's session (empty without one)."""
    return request.cookies.get(CSRF_COOKIE, "")


async def csrf_from_request() -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        form = await request.form
        return form.get(CSRF_FIELD) or None
    return None


async def optional_principal() -> Principal | None:
    """The signed-in user or judge, or None (no session, or it expired)."""
    known = g.get("principal")
    if known is not None:
        return cast(Principal, known)
    if not session_token() and request.headers.get("Authorization") is None:
        return None
    authenticate = await container().get(Authenticate)
    try:
        principal = await authenticate.execute(
            AuthenticateCommand(
                method="GET",  # the session only; CSRF is checked by ``page_principal``
                session_token=session_token(),
                bearer=bearer_token(),
            )
        )
    except Unauthenticated:
        return None
    return principal


async def page_principal() -> Principal:
    """The principal of a page request; an unsafe method needs the session's CSRF token
    (field or header), checked by the gateway's ``Authenticate`` (403 without it)."""
    known = g.get("principal")
    if known is not None:
        return cast(Principal, known)
    if not session_token() and request.headers.get("Authorization") is None:
        raise SignInRequired()
    authenticate = await container().get(Authenticate)
    try:
        principal = await authenticate.execute(
            AuthenticateCommand(
                method=request.method,
                session_token=session_token(),
                bearer=bearer_token(),
                csrf_token=await csrf_from_request(),
            )
        )
    except Unauthenticated as exc:
        raise SignInRequired() from exc
    g.principal = principal
    return principal


def cookie_secure() -> bool:
    return not settings().development
