"""create_service_app: one Quart app shape for all six services."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pydantic
import structlog
from dishka import AsyncContainer, Provider, make_async_container
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from quart import Blueprint, Quart, Response, g, request
from quart_dishka import QuartDishka, QuartProvider
from quart_schema import QuartSchema, RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from service_kit import correlation, metrics, migrations
from service_kit.db import Database, start_request_timer
from service_kit.di import ClockProvider, DatabaseProvider
from service_kit.errors import DomainError
from service_kit.logging import configure_logging, get_logger
from service_kit.messaging.jobs import WorkerSettings
from service_kit.messaging.outbox import RelaySettings
from service_kit.messaging.runtime import Messaging, MessagingRuntime
from service_kit.openapi import ServiceOpenAPIProvider
from service_kit.settings import RepositoryKind, ServiceSettings

PROBLEM_JSON = "application/problem+json"
PUBLIC_ENDPOINTS = frozenset({"healthz", "readyz"})
Hook = Callable[[Quart], Awaitable[None]]
log = get_logger("service_kit.app")


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["correlation_id"] = correlation.current()
    body.update(extra)
    response = Response(json.dumps(body, default=str), status=status, content_type=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _validation_errors(error: Exception) -> list[dict[str, Any]]:
    if isinstance(error, pydantic.ValidationError):
        return [
            {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
            for item in error.errors(include_url=False, include_context=False)
        ]
    return [{"loc": [], "msg": str(error), "type": "invalid"}]


def _register_error_handlers(app: Quart) -> None:
    @app.errorhandler(RequestSchemaValidationError)
    async def schema_error(error: RequestSchemaValidationError) -> Response:
        errors = _validation_errors(error.validation_error)
        unparseable = not isinstance(error.validation_error, pydantic.ValidationError)
        status = 400 if unparseable else 422
        detail = "the request body is not valid JSON" if unparseable else "the request is invalid"
        return problem(status, "Invalid request", detail, errors=errors)

    @app.errorhandler(UnicodeDecodeError)
    async def undecodable(error: UnicodeDecodeError) -> Response:
        # a body sent as JSON or text that is not UTF-8: the client's fault, said plainly
        return problem(400, "Invalid request", "the request body is not valid UTF-8")

    @app.errorhandler(DomainError)
    async def domain_error(error: DomainError) -> Response:
        headers = (
            {"Retry-After": str(error.extra.pop("retry_after"))}
            if ("retry_after" in error.extra)
            else None
        )
        return problem(error.status, error.title, error.detail, headers=headers, **error.extra)

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        detail = error.description
        if status == 400 and detail == type(error).description:
            detail = "the request could not be parsed (malformed JSON or form data?)"
        response = problem(status, error.name, detail)
        if status == 405 and error.response is None:
            allowed = getattr(error, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    async def unexpected(error: Exception) -> Response:
        log.exception("unhandled_error", error=repr(error))
        return problem(500, "Internal server error", "the service failed; see its logs")


def _register_request_hooks(app: Quart, settings: ServiceSettings) -> None:
    token = settings.token

    @app.before_request
    async def start_request() -> Response | None:
        g.started = time.perf_counter()
        g.db_time = start_request_timer()
        cid = correlation.accept_or_make(request.headers.get(correlation.HEADER))
        correlation.set_current(cid)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=cid)
        if token and request.endpoint not in PUBLIC_ENDPOINTS:
            supplied = request.headers.get("Authorization", "")
            if not hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
                return problem(
                    401,
                    "Unauthorized",
                    "a valid bearer token is required",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return None

    @app.after_request
    async def finish_request(response: Response) -> Response:
        cid = correlation.current()
        if cid:
            response.headers[correlation.HEADER] = cid
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        started = g.get("started")
        if started is not None:
            metrics.HTTP_REQUEST_DURATION.labels(request.method, route).observe(
                time.perf_counter() - started
            )
        db_time = g.get("db_time")
        if db_time and db_time[0]:
            metrics.HTTP_REQUEST_DB_TIME.labels(request.method, route).observe(db_time[0])
        return response


def _probes(app: Quart, database: Database | None, alembic_ini: Path | None) -> None:
    expected_heads = migrations.heads(alembic_ini) if alembic_ini else set()

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', content_type="application/json")

    @app.get("/readyz")
    async def readyz() -> Response:
        if database is None:
            return Response(
                json.dumps({"status": "ok", "database": "not used"}),
                content_type="application/json",
            )
        try:
            current = await migrations.current_revisions(database.engine)
        except Exception as exc:
            return problem(503, "Not ready", f"database unreachable or not migrated: {exc!r}")
        if expected_heads and current != expected_heads:
            return problem(
                503,
                "Not ready",
                "migrations are not at head",
                current=sorted(current),
                expected=sorted(expected_heads),
            )
        return Response(
            json.dumps({"status": "ok", "revision": sorted(current)}),
            content_type="application/json",
        )

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


def create_service_app(
    settings: ServiceSettings,
    *,
    blueprints: Iterable[Blueprint],
    providers: Sequence[Provider] = (),
    alembic_ini: Path | None = None,
    container: AsyncContainer | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    messaging: Messaging | None = None,
    title: str | None = None,
) -> Quart:
    """Quart + QuartSchema + dishka + problem+json + correlation + metrics + probes.

    Pass ``container`` to use one built elsewhere (tests); otherwise it is built from
    service_kit's providers and the service's own.
    """
    configure_logging(settings.log_level, settings.log_json)
    app = Quart(settings.service_name)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["SETTINGS"] = settings
    QuartSchema(
        app,
        info={"title": title or settings.service_name, "version": "1"},
        redoc_ui_path=None,
        scalar_ui_path=None,
        openapi_provider_class=ServiceOpenAPIProvider,
    )
    _register_error_handlers(app)
    _register_request_hooks(app, settings)

    database: Database | None = None
    if settings.repository is RepositoryKind.POSTGRES:
        database = Database(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
    app.extensions["database"] = database
    _probes(app, database, alembic_ini)

    if container is None:
        base: list[Provider] = [QuartProvider(), ClockProvider()]
        if database is not None:
            base.append(DatabaseProvider(database))
        container = make_async_container(*base, *providers)
    QuartDishka(app=app, container=container)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    if settings.token is None:
        log.warning("internal_api_token_unset", detail="every route is open without a token")

    runtime: MessagingRuntime | None = None
    if messaging is not None and database is not None:
        runtime = MessagingRuntime(
            messaging,
            database,
            container,
            RelaySettings(
                max_attempts=settings.outbox_max_attempts,
                backoff_base_seconds=settings.outbox_backoff_base_seconds,
                backoff_max_seconds=settings.outbox_backoff_max_seconds,
                poll_seconds=settings.outbox_poll_seconds,
                token=settings.token,
                timeout_seconds=settings.http_timeout_seconds,
            ),
            WorkerSettings(
                concurrency=settings.job_concurrency,
                lease_seconds=settings.job_lease_seconds,
                poll_seconds=settings.job_poll_seconds,
                retry_base_seconds=settings.job_retry_base_seconds,
            ),
        )
    app.extensions["messaging"] = runtime

    @app.before_serving
    async def startup() -> None:
        for hook in on_startup:
            await hook(app)
        if runtime is not None:
            await runtime.start()

    @app.after_serving
    async def shutdown() -> None:
        if runtime is not None:
            await runtime.stop()
        for hook in on_shutdown:
            await hook(app)
        await container.close()
        if database is not None:
            await database.dispose()

    return app
