"""api_gateway's own routes (identity): thin, parse -> one use case -> map the result."""

from __future__ import annotations

import uuid

from dishka.integrations.base import FromDishka
from quart import Blueprint, Response
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response
from werkzeug.http import dump_cookie

from services.api_gateway.authn import client_ip, current_principal, session_token, settings
from services.api_gateway.domain import NewSession
from services.api_gateway.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyList,
    ApiKeyOut,
    AuditEventOut,
    AuditPage,
    AuditQuery,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    LoginIn,
    MeOut,
    PasswordChangeIn,
    SessionOut,
    UserIn,
    UserOut,
    UserPatch,
)
from services.api_gateway.use_cases import (
    AcceptInvitation,
    AcceptInvitationCommand,
    ChangePassword,
    ChangePasswordCommand,
    CreateApiKey,
    CreateApiKeyCommand,
    CreateUser,
    CreateUserCommand,
    GetMe,
    GetMeCommand,
    InviteJudge,
    InviteJudgeCommand,
    ListApiKeys,
    ListApiKeysCommand,
    ListAuditEvents,
    ListAuditEventsCommand,
    LogIn,
    LogInCommand,
    LogOut,
    LogOutCommand,
    RevokeApiKey,
    RevokeApiKeyCommand,
    UpdateUser,
    UpdateUserCommand,
)

blueprint = Blueprint("gateway", __name__)


def _with_cookie(body: SessionOut, opened: NewSession) -> tuple[SessionOut, int, dict[str, str]]:
    """The answer, and the cookie carrying the session token (max-age: the session's absolute
    lifetime, relative, so a browser's clock does not matter)."""
    config = settings()
    session = opened.session
    cookie = dump_cookie(
        config.session_cookie_name,
        opened.token,
        max_age=int((session.absolute_expires_at - session.created_at).total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=not config.development,
    )
    return body, 200, {"Set-Cookie": cookie}


def _without_cookie(status: int = 204) -> Response:
    config = settings()
    response = Response(b"", status=status)
    response.delete_cookie(
        config.session_cookie_name,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=not config.development,
    )
    return response


# ---- sessions ---------------------------------------------------------------------------------


@blueprint.post("/v1/auth/login")
@validate_request(LoginIn)
@validate_response(SessionOut)
@inject
async def login(data: LoginIn, log_in: FromDishka[LogIn]) -> tuple[SessionOut, int, dict[str, str]]:
    result = await log_in.execute(LogInCommand(data.email, data.password, client_ip()))
    opened = result.new_session
    body = SessionOut(
        user=MeOut.model_validate(result.user),
        csrf_token=opened.csrf_token,
        expires_at=opened.session.absolute_expires_at,
    )
    return _with_cookie(body, opened)


@blueprint.post("/v1/auth/logout")
@inject
async def logout(log_out: FromDishka[LogOut]) -> Response:
    principal = await current_principal()
    await log_out.execute(LogOutCommand(principal, session_token(), client_ip()))
    return _without_cookie()


@blueprint.post("/v1/auth/invitations/accept")
@validate_request(InvitationAcceptIn)
@validate_response(SessionOut)
@inject
async def accept_invitation(
    data: InvitationAcceptIn, accept: FromDishka[AcceptInvitation]
) -> tuple[SessionOut, int, dict[str, str]]:
    result = await accept.execute(AcceptInvitationCommand(data.token, client_ip()))
    opened = result.new_session
    principal = result.principal
    me = MeOut(
        id=principal.id,
        kind=principal.kind,
        email=principal.email,
        role=None,
        display_name=None,
        judge_batch_id=principal.judge_batch_id,
    )
    body = SessionOut(user=me, csrf_token=opened.csrf_token, expires_at=result.expires_at)
    return _with_cookie(body, opened)


@blueprint.get("/v1/me")
@validate_response(MeOut)
@inject
async def me(get_me: FromDishka[GetMe]) -> MeOut:
    result = await get_me.execute(GetMeCommand(await current_principal()))
    return MeOut.model_validate(result)


@blueprint.post("/v1/me/password")
@validate_request(PasswordChangeIn)
@inject
async def change_password(data: PasswordChangeIn, change: FromDishka[ChangePassword]) -> Response:
    principal = await current_principal()
    await change.execute(
        ChangePasswordCommand(principal, data.current_password, data.new_password, client_ip())
    )
    return _without_cookie()  # every session of the user ended, this one too


# ---- API keys ---------------------------------------------------------------------------------


@blueprint.post("/v1/api-keys")
@validate_request(ApiKeyIn)
@validate_response(ApiKeyCreatedOut, 201)
@inject
async def create_api_key(
    data: ApiKeyIn, create: FromDishka[CreateApiKey]
) -> tuple[ApiKeyCreatedOut, int]:
    principal = await current_principal()
    result = await create.execute(
        CreateApiKeyCommand(principal, data.name, data.expires_at, client_ip())
    )
    shown = ApiKeyOut.model_validate(result.key).model_dump()
    return ApiKeyCreatedOut(**shown, key=result.secret), 201


@blueprint.get("/v1/api-keys")
@validate_response(ApiKeyList)
@inject
async def list_api_keys(list_keys: FromDishka[ListApiKeys]) -> ApiKeyList:
    keys = await list_keys.execute(ListApiKeysCommand(await current_principal()))
    return ApiKeyList(items=[ApiKeyOut.model_validate(k) for k in keys])


@blueprint.delete("/v1/api-keys/<uuid:key_id>")
@inject
async def revoke_api_key(key_id: uuid.UUID, revoke: FromDishka[RevokeApiKey]) -> Response:
    principal = await current_principal()
    await revoke.execute(RevokeApiKeyCommand(principal, key_id, client_ip()))
    return Response(b"", status=204)


# ---- judges -----------------------------------------------------------------------------------


@blueprint.post("/v1/batches/<batch_id>/judges/invitations")
@validate_request(InvitationIn)
@validate_response(InvitationOut, 201)
@inject
async def invite_judge(
    batch_id: str, data: InvitationIn, invite: FromDishka[InviteJudge]
) -> tuple[InvitationOut, int]:
    principal = await current_principal()
    result = await invite.execute(
        InviteJudgeCommand(principal, batch_id, data.email, data.expires_in_hours, client_ip())
    )
    answer = InvitationOut(
        id=result.invitation.id,
        url=result.url,
        token=result.token,
        expires_at=result.invitation.expires_at,
        judge_id=result.invitation.judge_id,
    )
    return answer, 201


# ---- admin ------------------------------------------------------------------------------------


@blueprint.post("/v1/admin/users")
@validate_request(UserIn)
@validate_response(UserOut, 201)
@inject
async def create_user(data: UserIn, create: FromDishka[CreateUser]) -> tuple[UserOut, int]:
    principal = await current_principal()
    user = await create.execute(
        CreateUserCommand(
            data.email, data.password, data.role, data.display_name, principal, client_ip()
        )
    )
    return UserOut.model_validate(user), 201


@blueprint.patch("/v1/admin/users/<uuid:user_id>")
@validate_request(UserPatch)
@validate_response(UserOut)
@inject
async def update_user(
    user_id: uuid.UUID, data: UserPatch, update: FromDishka[UpdateUser]
) -> UserOut:
    principal = await current_principal()
    user = await update.execute(
        UpdateUserCommand(
            principal, user_id, data.role, data.display_name, data.disabled, client_ip()
        )
    )
    return UserOut.model_validate(user)


@blueprint.get("/v1/admin/audit")
@validate_querystring(AuditQuery)
@validate_response(AuditPage)
@inject
async def audit(query_args: AuditQuery, list_events: FromDishka[ListAuditEvents]) -> AuditPage:
    principal = await current_principal()
    result = await list_events.execute(
        ListAuditEventsCommand(principal, query_args.cursor, query_args.limit, query_args.kind)
    )
    items = [AuditEventOut.model_validate(e) for e in result.items]
    return AuditPage(items=items, next_cursor=result.next_cursor)
