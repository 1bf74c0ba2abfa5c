"""The public API forwarded to the six services, the rate limits and analytics on every
answer, and GET /v1/admin/analytics. Thin: authenticate, admit, call one use case."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from dishka import AsyncContainer
from quart import Blueprint, Quart, Response, current_app, g, request
from quart_schema import validate_querystring

from service_kit.clock import Clock
from service_kit.errors import DomainError
from service_kit.logging import get_logger
from service_kit.openapi import answers
from services.api_gateway.authn import client_ip, current_principal, require_role
from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.forwarding import (
    REQUEST_HEADERS,
    ROUTES,
    BodyKind,
    LimitKind,
    Route,
    forwardable_headers,
)
from services.api_gateway.schemas_edge import AnalyticsOut, AnalyticsQuery
from services.api_gateway.use_cases.analytics import (
    AnalyticsBuffer,
    FlushAnalytics,
    GetAnalytics,
    GetAnalyticsCommand,
)
from services.api_gateway.use_cases.forwarding import ForwardRequest, ForwardRequestCommand
from services.api_gateway.use_cases.limits import (
    AdmitRequest,
    AdmitRequestCommand,
    PurgeRateLimits,
    refusal,
)

blueprint = Blueprint("edge", __name__)
log = get_logger("api_gateway.edge")
LOGIN_RULE = ("POST", "/v1/auth/login")
NOT_COUNTED = frozenset({"healthz", "readyz", "metrics_endpoint"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ROUTE_OF_ENDPOINT = {f"edge.{route.endpoint}": route for route in ROUTES}
# CORE's routes (blueprint "gateway") that need no credential; every other one of them is
# authenticated and counted against the principal's general limit before its view runs
CORE_BLUEPRINT = "gateway"
CORE_OPEN_ENDPOINTS = frozenset({"gateway.login", "gateway.accept_invitation"})


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"


def _container() -> AsyncContainer:
    container: AsyncContainer = g.dishka_container
    return container


def _app_container(app: Quart) -> AsyncContainer:
    container: AsyncContainer = app.extensions["QUART_DISHKA"].container
    return container


async def _admit(kind: LimitKind, subject: str) -> None:
    admit = await _container().get(AdmitRequest)
    admission = await admit.execute(AdmitRequestCommand(kind, subject))
    if admission is None:
        return
    g.admission = admission
    if not admission.allowed:
        raise refusal(admission, kind)


# ---- every request: body caps, the login limit, RateLimit-* headers, analytics -------------


@blueprint.record_once
def _configure(state: Any) -> None:
    # uploads may be as large as file_service takes; every other body is capped per request
    edge = EdgeSettings()
    app = state.app
    app.config["MAX_CONTENT_LENGTH"] = max(
        app.config.get("MAX_CONTENT_LENGTH") or 0, edge.max_upload_bytes
    )
    app.extensions["edge_json_cap"] = edge.max_json_bytes


@blueprint.before_app_request
async def _before() -> None:
    route = ROUTE_OF_ENDPOINT.get(request.endpoint or "")
    if route is None or route.body is not BodyKind.STREAM:
        cap = current_app.extensions["edge_json_cap"]
        if (request.content_length or 0) > cap:
            raise PayloadTooLarge(f"a request body here is limited to {cap} bytes")
        request.body._max_content_length = cap  # a chunked body is cut at the cap too
    rule = request.url_rule.rule if request.url_rule is not None else None
    if (request.method, rule) == LOGIN_RULE:
        await _admit(LimitKind.LOGIN, (client_ip() or "unknown")[:64])
    elif (
        request.blueprint == CORE_BLUEPRINT
        and request.endpoint not in CORE_OPEN_ENDPOINTS
        and request.method != "OPTIONS"  # a CORS preflight carries no credential
    ):
        # me, password, api-keys, invitations, admin: the view reuses this principal (g)
        principal = await current_principal()
        await _admit(LimitKind.GENERAL, str(principal.id))


@blueprint.after_app_request
async def _after(response: Response) -> Response:
    admission = g.get("admission")
    if admission is not None:
        for key, value in admission.headers().items():
            response.headers.setdefault(key, value)
    if request.endpoint in NOT_COUNTED:
        return response
    started = g.get("started")
    container = g.get("dishka_container")
    if started is None or container is None:
        return response
    edge = await container.get(EdgeSettings)
    if edge.analytics_enabled:
        principal = g.get("principal")
        buffer = await container.get(AnalyticsBuffer)
        clock = await container.get(Clock)
        buffer.record(
            clock.now(),
            request.url_rule.rule if request.url_rule is not None else "unmatched",
            request.method if request.method in METHODS else "OTHER",  # bounded labels
            response.status_code,
            str(principal.id) if principal is not None else "",
            (time.perf_counter() - started) * 1000,
        )
    return response


# ---- background: the analytics flush and forgetting old rate-limit windows -----------------


async def _housekeeping(app: Quart, edge: EdgeSettings) -> None:
    container = _app_container(app)
    every = edge.analytics_flush_seconds
    purge_every = max(every, float(edge.rate_limit_window_seconds))
    since_purge = 0.0
    while True:
        await asyncio.sleep(every)
        since_purge += every
        try:
            async with container() as scope:
                await (await scope.get(FlushAnalytics)).execute()
                if since_purge >= purge_every:
                    since_purge = 0.0
                    await (await scope.get(PurgeRateLimits)).execute()
        except Exception as exc:  # the next round tries again; the counts are kept
            log.warning("edge_housekeeping_failed", error=repr(exc))


@blueprint.before_app_serving
async def _start() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    edge = await _app_container(app).get(EdgeSettings)
    app.extensions["edge_housekeeping"] = asyncio.create_task(_housekeeping(app, edge))


@blueprint.after_app_serving
async def _stop() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    task = app.extensions.pop("edge_housekeeping", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    try:
        async with _app_container(app)() as scope:
            await (await scope.get(FlushAnalytics)).execute()
    except Exception as exc:
        log.warning("edge_final_flush_failed", error=repr(exc))


# ---- the forwarded routes ----------------------------------------------------------------


async def _read_capped(cap: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in request.body:
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge(f"a request body here is limited to {cap} bytes")
        parts.append(chunk)
    return b"".join(parts)


async def _stream_capped(cap: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in request.body:
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge(f"an upload is limited to {cap} bytes")
        yield chunk


async def _forward(route: Route, params: dict[str, Any]) -> Response:
    principal = await current_principal()
    g.principal = principal
    limit_subject = str(principal.id)
    await _admit(route.limit, limit_subject)
    edge = await _container().get(EdgeSettings)
    body: bytes | AsyncIterator[bytes] | None = None
    if route.body is BodyKind.JSON:
        body = await _read_capped(edge.max_json_bytes)
    elif route.body is BodyKind.STREAM:
        if (request.content_length or 0) > edge.max_upload_bytes:
            raise PayloadTooLarge(f"an upload is limited to {edge.max_upload_bytes} bytes")
        body = _stream_capped(edge.max_upload_bytes)
    headers = forwardable_headers(request.headers, REQUEST_HEADERS)
    if route.body is BodyKind.NONE:
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length",)}
    elif route.body is BodyKind.JSON:
        headers.pop("Content-Length", None)
        headers.pop("content-length", None)
    forward = await _container().get(ForwardRequest)
    answer = await forward.execute(
        ForwardRequestCommand(
            principal=principal,
            route=route,
            params=params,
            query=list(request.args.items(multi=True)),
            headers=headers,
            body=body,
        )
    )
    if request.method == "HEAD":  # Quart answers HEAD on GET routes: no body to pass on
        await answer.close()
        return Response(b"", status=answer.status, headers=answer.headers)
    if answer.buffered is not None:
        kept = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
        return Response(answer.buffered, status=answer.status, headers=kept)
    return Response(answer.chunks(), status=answer.status, headers=answer.headers)


def _view(route: Route) -> Any:
    async def view(**params: Any) -> Response:
        return await _forward(route, params)

    view.__name__ = route.endpoint
    return view


for _route in ROUTES:
    blueprint.add_url_rule(
        _route.rule, endpoint=_route.endpoint, view_func=_view(_route), methods=[_route.method]
    )


# ---- admin --------------------------------------------------------------------------------


@blueprint.get("/v1/admin/analytics")
@answers(403, 429)
@validate_querystring(AnalyticsQuery)
async def analytics(query_args: AnalyticsQuery) -> Response:
    principal = await current_principal()
    g.principal = principal
    require_role(principal, "admin")
    await _admit(LimitKind.GENERAL, str(principal.id))
    clock = await _container().get(Clock)
    last = query_args.to or clock.now().date()
    first = query_args.from_ or last - timedelta(days=6)
    get = await _container().get(GetAnalytics)
    result = await get.execute(GetAnalyticsCommand(first, last, query_args.group))
    return Response(
        AnalyticsOut.of(result).model_dump_json(by_alias=True),
        content_type="application/json",
    )
