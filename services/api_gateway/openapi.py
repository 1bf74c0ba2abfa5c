"""The public OpenAPI document: the gateway's own routes (service_kit's ``answers``) and every
forwarded route as its service documents it, with what the gateway adds in front.

A forwarded operation is copied from its service's own ``/openapi.json`` (fetched once, with
the internal token, when the gateway's document is first asked for; asked again while a
service is down), its component schemas renamed ``<service>.<Name>`` so that two services'
``BatchOut`` stay apart. What crosses the gateway changes it: ``X-User-ID`` and the query
parameters the gateway decides (``owner``, ``judge_id``) are not the client's to send; the
gateway's own answers are added: 401 without a session or API key, 403 (a cookie session's
unsafe call without ``X-CSRF-Token``; a judge outside their batch), 404 for what is not the
caller's, 413 past its body caps, 429 with ``Retry-After`` past a rate limit, 502 for an
answer it cannot read and 503 while the service is down.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

import httpx
from quart import Quart, request
from werkzeug.routing import Rule

from service_kit.logging import get_logger
from service_kit.openapi import CORRELATION_ID, Header, ServiceOpenAPIProvider, problem_response
from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.forwarding import ROUTES, BodyKind, JudgeRewrite, Owned, Route

log = get_logger("api_gateway.openapi")
EXTENSION = "upstream_openapi"
CSRF = Header("X-CSRF-Token", "a session's CSRF token: required on unsafe calls with the cookie")
UNSAFE = frozenset({"post", "put", "patch", "delete"})
RATE_LIMITED = {
    "Retry-After": "seconds until the window resets",
    "RateLimit-Limit": "requests allowed per window",
    "RateLimit-Remaining": "requests left in this window",
    "RateLimit-Reset": "seconds until the window resets",
}
_ROUTE_OF_ENDPOINT = {f"edge.{route.endpoint}": route for route in ROUTES}
_PATH_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _path(rule: str) -> str:
    return _PATH_PARAM.sub(r"{\1}", rule)


def _rename_refs(value: Any, service: str) -> Any:
    if isinstance(value, dict):
        renamed = {k: _rename_refs(v, service) for k, v in value.items()}
        ref = renamed.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name != "Problem":
                renamed["$ref"] = f"#/components/schemas/{service}.{name}"
        return renamed
    if isinstance(value, list):
        return [_rename_refs(v, service) for v in value]
    return value


async def fetch_upstream_documents(app: Quart) -> None:
    """Each service's document, once; a service that cannot answer is asked next time."""
    documents: dict[str, dict[str, Any]] = app.extensions.setdefault(EXTENSION, {})
    settings = app.config["SETTINGS"]
    wanted = {route.service for route in ROUTES} - set(documents)
    if not wanted:
        return
    urls = EdgeSettings().service_urls()
    token = settings.forward_token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=5.0, headers=headers) as client:
        for service in sorted(wanted):
            try:
                answer = await client.get(f"{urls[service]}/openapi.json")
                answer.raise_for_status()
                documents[service] = answer.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("upstream_openapi_unavailable", service=service, error=repr(exc))


def install(app: Quart) -> None:
    """The public document: this provider, fed the services' documents before it is served."""
    extension = app.extensions["QUART_SCHEMA"]
    extension.openapi_provider = GatewayOpenAPIProvider(app, extension)

    @app.before_request
    async def _documents() -> None:
        if request.endpoint == "openapi":
            await fetch_upstream_documents(app)


class GatewayOpenAPIProvider(ServiceOpenAPIProvider):
    security_schemes = {
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": "gw_session",
            "description": "the session of POST /v1/auth/login; unsafe calls add X-CSRF-Token",
        },
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "an API key of POST /v1/api-keys",
        },
    }

    def schema(self) -> dict[str, Any]:
        self._upstream_components: dict[str, Any] = {}
        schema = super().schema()
        schema["components"]["schemas"].update(self._upstream_components)
        schema["info"]["description"] = (
            "The public API. Forwarded operations are documented as their services document "
            "them, with the gateway's own answers added."
        )
        return schema

    def generate_rules(self) -> Iterable[Rule]:
        # the web app's pages are HTML for browsers, not the API: they stay out of the document
        return (rule for rule in super().generate_rules() if not rule.endpoint.startswith("web."))

    def build_paths(self, rule: Rule) -> tuple[dict, dict]:
        paths, components = super().build_paths(rule)
        route = _ROUTE_OF_ENDPOINT.get(rule.endpoint)
        if route is not None:
            path = _path(route.rule)
            paths[path][route.method.lower()] = self._forwarded(
                route, paths[path][route.method.lower()]
            )
        for operations in paths.values():
            for method, operation in operations.items():
                if method in UNSAFE and operation.get("security"):
                    names = {p["name"] for p in operation["parameters"]}
                    if CSRF.name not in names:
                        operation["parameters"].append(CSRF.parameter())
                    operation["responses"].setdefault("403", problem_response(403))
        return paths, components

    def _upstream(self, route: Route) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        documents = self._app.extensions.get(EXTENSION, {})
        document = documents.get(route.service)
        if document is None:
            return None, {}
        operation = document.get("paths", {}).get(_path(route.rule), {}).get(route.method.lower())
        return operation, document

    def _forwarded(self, route: Route, own: dict[str, Any]) -> dict[str, Any]:
        method = route.method.lower()
        upstream, document = self._upstream(route)
        if upstream is None:
            operation = copy.deepcopy(own)
            operation["description"] = (
                f"Forwarded to {route.service}, whose document could not be read just now."
            )
        else:
            operation = _rename_refs(copy.deepcopy(upstream), route.service)
            for name, schema in document.get("components", {}).get("schemas", {}).items():
                if name != "Problem":
                    key = f"{route.service}.{name}"
                    self._upstream_components[key] = _rename_refs(schema, route.service)
        operation["operationId"] = f"{method}_{route.endpoint}"
        operation["summary"] = operation.get("summary") or f"{route.service}: {route.rule}"
        dropped = {"x-user-id"} | {q.lower() for q in route.drop_query}
        if route.judge is JudgeRewrite.QUERY:
            dropped.add("judge_id")
        parameters = [
            p for p in operation.get("parameters", []) if p["name"].lower() not in dropped
        ]
        if route.owned is Owned.QUERY_BATCH:
            for p in parameters:
                if p["name"] == "batch_id" and p.get("in") == "query":
                    p["required"] = True
        names = {p["name"].lower() for p in parameters}
        if CORRELATION_ID.name.lower() not in names:
            parameters.append(CORRELATION_ID.parameter())
        operation["parameters"] = parameters
        if route.judge is JudgeRewrite.BODY:
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schema = media.get("schema", {})
                if "required" in schema:
                    schema["required"] = [r for r in schema["required"] if r != "judge_id"]
        responses = operation.setdefault("responses", {})
        for status in ("401", "403", "404", "429", "502", "503"):
            responses[status] = problem_response(int(status))
        if route.body is not BodyKind.NONE:
            responses["413"] = problem_response(413)
            if route.body is BodyKind.JSON:
                responses["400"] = problem_response(400)
        if route.owned is Owned.QUERY_BATCH:
            responses["422"] = problem_response(422)
        responses["429"]["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in RATE_LIMITED.items()
        }
        links = {}
        for status, response in responses.items():
            for name, link in response.get("links", {}).items():
                target = self._gateway_operation(document, link.get("operationId"))
                if target is not None:
                    links[(status, name)] = {**link, "operationId": target}
            response.pop("links", None)
        for (status, name), link in links.items():
            responses[status].setdefault("links", {})[name] = link
        operation["responses"] = dict(sorted(responses.items()))
        operation["security"] = [{name: []} for name in self.security_schemes]
        return operation

    def _gateway_operation(self, document: dict[str, Any], operation_id: str | None) -> str | None:
        """The gateway's operationId for a service's operationId, if it forwards that one."""
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if operation.get("operationId") != operation_id:
                    continue
                for route in ROUTES:
                    if _path(route.rule) == path and route.method.lower() == method:
                        return f"{method}_{route.endpoint}"
        return None
