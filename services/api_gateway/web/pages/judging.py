"""Pages 7-9 (WEB JUDGING): judging ``/batches/<id>/judge`` (+ its two JSON calls for the
script), judges ``/batches/<id>/judges``, admin ``/admin``. Thin: read the request, call one
use case (``web/judging.py`` or the gateway's own), render."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from quart import Response, jsonify, request

from service_kit.app import problem
from service_kit.clock import Clock
from service_kit.errors import DomainError, InvalidInput
from services.api_gateway.authn import client_ip
from services.api_gateway.domain import Forbidden, Principal
from services.api_gateway.protocols_edge import Upstream
from services.api_gateway.use_cases import (
    CreateApiKey,
    CreateApiKeyCommand,
    CreateUser,
    CreateUserCommand,
    InviteJudge,
    InviteJudgeCommand,
    ListApiKeys,
    ListApiKeysCommand,
    ListAuditEvents,
    ListAuditEventsCommand,
    RevokeApiKey,
    RevokeApiKeyCommand,
)
from services.api_gateway.use_cases.analytics import GetAnalytics, GetAnalyticsCommand
from services.api_gateway.use_cases.forwarding import ForwardRequest
from services.api_gateway.use_cases.limits import AdmitRequest
from services.api_gateway.web.auth import container, page_principal
from services.api_gateway.web.blueprint import blueprint
from services.api_gateway.web.gateway import Gateway
from services.api_gateway.web.judging import (
    Choose,
    ExcludeJudge,
    FindAssessment,
    NextPair,
    ShowJudges,
    ShowJudging,
    check_invitation_form,
)
from services.api_gateway.web.judging_i18n import JudgingTranslator
from services.api_gateway.web.render import render_page, see_other, translator

CHART_ROUTES = 12


def tj() -> JudgingTranslator:
    return JudgingTranslator(translator())


async def _gateway(principal: Principal) -> Gateway:
    scope = container()
    return Gateway(await scope.get(ForwardRequest), await scope.get(AdmitRequest), principal)


async def _find(gateway: Gateway) -> FindAssessment:
    return FindAssessment(gateway, await container().get(Upstream))


async def _page(template: str, *, status: int = 200, **context: Any) -> Response:
    return await render_page(template, status=status, title_key=None, tj=tj(), **context)


def _json_problem(error: DomainError) -> Response:
    return problem(error.status, error.title, error.detail)


# ------------------------------------------------------------------------------ 7. judging


@blueprint.get("/batches/<batch_id>/judge")
async def judging(batch_id: str) -> Response:
    principal = await page_principal()
    view = await ShowJudging(await _find(await _gateway(principal))).execute(principal, batch_id)
    return await _page("pages/judging.html", view=view, is_teacher=principal.kind == "user")


@blueprint.get("/batches/<batch_id>/judge/pair")
async def judging_pair(batch_id: str) -> Response:
    """The pair the judge holds or a new one (JSON, for the script)."""
    try:
        principal = await page_principal()
        assessment_id = str(uuid.UUID(request.args.get("assessment", "")))
        gateway = await _gateway(principal)
        await _check_batch(gateway, principal, batch_id)
        return jsonify(await NextPair(gateway).execute(assessment_id))
    except ValueError:
        return problem(400, "Invalid request", "name the assessment: ?assessment=<uuid>")
    except DomainError as error:
        return _json_problem(error)


@blueprint.post("/batches/<batch_id>/judge/choice")
async def judging_choice(batch_id: str) -> Response:
    """``{assessment_id, pair_id, winner}`` with ``X-CSRF-Token`` -> ``{recorded, next}``."""
    try:
        principal = await page_principal()
        data = await request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            raise InvalidInput("send {assessment_id, pair_id, winner}")
        assessment_id = str(uuid.UUID(str(data.get("assessment_id"))))
        pair_id = str(uuid.UUID(str(data.get("pair_id"))))
        gateway = await _gateway(principal)
        await _check_batch(gateway, principal, batch_id)
        winner = str(data.get("winner"))
        return jsonify(await Choose(gateway).execute(assessment_id, pair_id, winner))
    except ValueError:
        return problem(422, "Unprocessable Content", "assessment_id and pair_id are uuids")
    except DomainError as error:
        return _json_problem(error)


async def _check_batch(gateway: Gateway, principal: Principal, batch_id: str) -> None:
    """The page's batch is the principal's (the assessment's own batch is checked again by the
    gateway's forwarding on every call)."""
    if principal.kind == "judge":
        if principal.judge_batch_id != batch_id:
            raise InvalidInput("this is not your batch")
        return
    await gateway.call("GET", "/v1/batches/<batch_id>", batch_id=batch_id)


# ------------------------------------------------------------------------------- 8. judges


async def _judges_page(
    principal: Principal, batch_id: str, *, status: int = 200, **extra: Any
) -> Response:
    view = await ShowJudges(await _find(await _gateway(principal))).execute(principal, batch_id)
    flash_key = extra.pop("flash_key", None)
    if flash_key:
        extra["flash"] = tj()(flash_key, n=view.excluded)
    extra.setdefault("form", {})
    extra.setdefault("errors", {})
    return await _page("pages/judges.html", status=status, view=view, **extra)


@blueprint.get("/batches/<batch_id>/judges")
async def judges(batch_id: str) -> Response:
    principal = await page_principal()
    notice = {"excluded": "judges.excluded_note", "unavailable": "judges.exclude_unavailable"}
    flash_key = notice.get(request.args.get("notice", ""))
    return await _judges_page(principal, batch_id, flash_key=flash_key)


@blueprint.post("/batches/<batch_id>/judges/invitations")
async def invite(batch_id: str) -> Response:
    principal = await page_principal()
    form = await request.form
    email = (form.get("email") or "").strip()
    hours = (form.get("hours") or "").strip()
    errors, expires_in_hours = check_invitation_form(email, hours)
    t = tj()
    if errors:
        messages = {name: t(key) for name, key in errors.items()}
        return await _judges_page(
            principal,
            batch_id,
            status=422,
            form={"email": email, "hours": hours},
            errors=messages,
        )
    invite_judge = await container().get(InviteJudge)
    result = await invite_judge.execute(
        InviteJudgeCommand(principal, batch_id, email or None, expires_in_hours, client_ip())
    )
    return await _judges_page(principal, batch_id, status=201, invitation_url=result.url)


@blueprint.post("/batches/<batch_id>/judges/<judge_id>/<action>")
async def exclude(batch_id: str, judge_id: str, action: str) -> Response:
    principal = await page_principal()
    if principal.kind != "user" or action not in ("exclude", "include"):
        raise Forbidden("a judge session can only judge its assessment")
    gateway = await _gateway(principal)
    view = await ShowJudges(await _find(gateway)).execute(principal, batch_id)
    if view.assessment_id is None or judge_id not in {j.judge_id for j in view.judges}:
        raise InvalidInput("no such judge in this batch", field="judge_id")
    status = await ExcludeJudge(gateway).execute(
        view.assessment_id, judge_id, exclude=action == "exclude"
    )
    notice = "excluded" if status < 300 else "unavailable"
    return see_other(f"/batches/{batch_id}/judges?notice={notice}")


# -------------------------------------------------------------------------------- 9. admin


async def _admin_principal() -> Principal:
    principal = await page_principal()
    if not principal.is_admin:
        raise Forbidden("admins only")
    return principal


def chart(lines: list[Any]) -> list[dict[str, Any]]:
    """Bars of the busiest routes for the SVG chart: label, count, errors, p50 and the bar's
    width in per cent of the busiest."""
    top = lines[:CHART_ROUTES]
    most = max((line.count for line in top), default=0) or 1
    return [
        {
            "label": f"{line.key.get('method', '')} {line.key.get('route', '')}".strip(),
            "count": line.count,
            "errors": line.errors,
            "p50": line.p50_ms,
            "p95": line.p95_ms,
            "width": round(100 * line.count / most, 1),
            "y": index * 28,
        }
        for index, line in enumerate(top)
    ]


async def _admin_page(principal: Principal, *, status: int = 200, **extra: Any) -> Response:
    scope = container()
    clock = await scope.get(Clock)
    today = clock.now().date()
    analytics = await (await scope.get(GetAnalytics)).execute(
        GetAnalyticsCommand(today - timedelta(days=6), today, "route")
    )
    keys = await (await scope.get(ListApiKeys)).execute(ListApiKeysCommand(principal))
    audit = await (await scope.get(ListAuditEvents)).execute(
        ListAuditEventsCommand(principal, cursor=request.args.get("cursor") or None, limit=25)
    )
    extra.setdefault("user_form", {})
    extra.setdefault("user_errors", {})
    extra.setdefault("key_form", {})
    extra.setdefault("key_errors", {})
    bars = chart(analytics.lines)
    return await _page(
        "pages/admin.html",
        status=status,
        bars=bars,
        chart_height=max(28, 28 * len(bars)),
        keys=keys,
        audit=audit,
        now=clock.now(),
        **extra,
    )


@blueprint.get("/admin")
async def admin() -> Response:
    return await _admin_page(await _admin_principal())


@blueprint.post("/admin/users")
async def admin_create_user() -> Response:
    principal = await _admin_principal()
    form = await request.form
    typed: dict[str, str] = {
        "email": (form.get("email") or "").strip(),
        "display_name": (form.get("display_name") or "").strip(),
        "role": "admin" if form.get("role") == "admin" else "teacher",
    }
    password = form.get("password") or ""
    t = tj()
    errors = {
        name: t("admin.field_required")
        for name, value in (("email", typed["email"]), ("password", password))
        if not value
    }
    if not errors:
        create = await container().get(CreateUser)
        try:
            user = await create.execute(
                CreateUserCommand(
                    typed["email"],
                    password,
                    typed["role"],
                    typed["display_name"] or None,
                    actor=principal,
                    client_ip=client_ip(),
                )
            )
        except DomainError as error:
            name = error.extra.get("field")
            errors[name if name in ("email", "password", "display_name") else "email"] = (
                error.detail
            )
        else:
            return await _admin_page(
                principal, status=201, flash=t("admin.created", email=user.email)
            )
    return await _admin_page(principal, status=422, user_form=typed, user_errors=errors)


@blueprint.post("/admin/keys")
async def admin_create_key() -> Response:
    principal = await _admin_principal()
    form = await request.form
    name = (form.get("name") or "").strip()
    if not name:
        return await _admin_page(
            principal,
            status=422,
            key_form={"name": name},
            key_errors={"name": tj()("admin.field_required")},
        )
    create = await container().get(CreateApiKey)
    try:
        made = await create.execute(CreateApiKeyCommand(principal, name, client_ip=client_ip()))
    except DomainError as error:
        return await _admin_page(
            principal, status=422, key_form={"name": name}, key_errors={"name": error.detail}
        )
    return await _admin_page(principal, status=201, new_key=made.secret)


@blueprint.post("/admin/keys/<uuid:key_id>/revoke")
async def admin_revoke_key(key_id: uuid.UUID) -> Response:
    principal = await _admin_principal()
    revoke = await container().get(RevokeApiKey)
    await revoke.execute(RevokeApiKeyCommand(principal, key_id, client_ip()))
    return see_other("/admin#keys")
