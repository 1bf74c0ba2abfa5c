"""Page 1: sign in, sign out, accept a judging invitation; the language switch; ``/``."""

from __future__ import annotations

from quart import Response, g, request
from werkzeug.http import dump_cookie

from services.api_gateway.authn import client_ip, session_token, settings
from services.api_gateway.domain import AccountLocked, NewSession, Unauthenticated
from services.api_gateway.forwarding import LimitKind
from services.api_gateway.use_cases import (
    AcceptInvitation,
    AcceptInvitationCommand,
    LogIn,
    LogInCommand,
    LogOut,
    LogOutCommand,
)
from services.api_gateway.use_cases.limits import AdmitRequest, AdmitRequestCommand, refusal
from services.api_gateway.web.auth import (
    CSRF_COOKIE,
    container,
    cookie_secure,
    optional_principal,
    page_principal,
)
from services.api_gateway.web.blueprint import blueprint
from services.api_gateway.web.i18n import LANG_COOKIE, LANGUAGES
from services.api_gateway.web.render import render_page, see_other, translator


def safe_next(value: str | None, default: str = "/batches") -> str:
    """Only a path of this site (never ``//host`` or a scheme): no open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def judge_home(batch_id: str | None) -> str:
    return f"/batches/{batch_id}/judge"


def _set_session_cookies(response: Response, opened: NewSession) -> None:
    session = opened.session
    max_age = int((session.absolute_expires_at - session.created_at).total_seconds())
    secure = cookie_secure()
    for name, value in (
        (settings().session_cookie_name, opened.token),
        (CSRF_COOKIE, opened.csrf_token),
    ):
        response.headers.add(
            "Set-Cookie",
            dump_cookie(
                name, value, max_age=max_age, path="/", httponly=True, samesite="Lax", secure=secure
            ),
        )


def _clear_session_cookies(response: Response) -> None:
    for name in (settings().session_cookie_name, CSRF_COOKIE):
        response.delete_cookie(
            name, path="/", httponly=True, samesite="Lax", secure=cookie_secure()
        )


@blueprint.get("/")
async def home() -> Response:
    principal = await optional_principal()
    if principal is None:
        return see_other("/sign-in")
    if principal.kind == "judge":
        return see_other(judge_home(principal.judge_batch_id))
    return see_other("/batches")


@blueprint.get("/sign-in")
async def sign_in_form() -> Response:
    return await render_page(
        "pages/sign_in.html",
        title_key="signin.title",
        form={},
        errors={},
        next=safe_next(request.args.get("next")),
    )


@blueprint.post("/sign-in")
async def sign_in() -> Response:
    form = await request.form
    email = (form.get("email") or "").strip()
    password = form.get("password") or ""
    next_path = safe_next(form.get("next"))
    t = translator()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = t("signin.email_required")
    if not password:
        errors["password"] = t("signin.password_required")
    status = 422
    if not errors:
        admit = await container().get(AdmitRequest)
        admission = await admit.execute(AdmitRequestCommand(LimitKind.LOGIN, client_ip() or ""))
        if admission is not None and not admission.allowed:
            raise refusal(admission, LimitKind.LOGIN)
        log_in = await container().get(LogIn)
        try:
            result = await log_in.execute(LogInCommand(email, password, client_ip()))
        except AccountLocked:
            errors["password"] = t("signin.locked")
            status = 423
        except Unauthenticated:
            errors["password"] = t("signin.wrong")
            status = 401
        else:
            response = see_other(next_path)
            _set_session_cookies(response, result.new_session)
            return response
    return await render_page(
        "pages/sign_in.html",
        status=status,
        title_key="signin.title",
        form={"email": email},
        errors=errors,
        next=next_path,
    )


@blueprint.post("/sign-out")
async def sign_out() -> Response:
    principal = await page_principal()  # CSRF checked: a foreign page cannot sign you out
    log_out = await container().get(LogOut)
    await log_out.execute(LogOutCommand(principal, session_token(), client_ip()))
    g.principal = None
    response = see_other("/sign-in")
    _clear_session_cookies(response)
    return response


@blueprint.get("/judge")
async def invitation_form() -> Response:
    # the invitation link is /judge#invitation=<token>: the fragment never reaches a server;
    # app.js copies it into the form and submits it (without script: paste the token)
    return await render_page(
        "pages/invitation.html", title_key="invitation.title", form={}, errors={}
    )


@blueprint.post("/judge")
async def accept_invitation() -> Response:
    form = await request.form
    token = (form.get("token") or "").strip()
    t = translator()
    if token:
        accept = await container().get(AcceptInvitation)
        try:
            result = await accept.execute(AcceptInvitationCommand(token, client_ip()))
        except Unauthenticated:
            error = t("invitation.invalid")
        else:
            response = see_other(judge_home(result.principal.judge_batch_id))
            _set_session_cookies(response, result.new_session)
            return response
    else:
        error = t("invitation.token_required")
    return await render_page(
        "pages/invitation.html",
        status=422 if not token else 401,
        title_key="invitation.title",
        form={"token": token},
        errors={"token": error},
    )


@blueprint.get("/language/<lang>")
async def language(lang: str) -> Response:
    response = see_other(safe_next(request.args.get("next"), "/"))
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            path="/",
            samesite="Lax",
            secure=cookie_secure(),
            httponly=True,
        )
    return response
