"""Truthful OpenAPI: the one place every service's document learns what its operations answer.

quart_schema documents the happy path from ``validate_request``/``validate_response``. What it
cannot see is added here, by one decorator and one provider:

- ``@answers(404, 409, headers=(IF_MATCH,), body=Multipart(...))`` on a route declares the
  problem statuses its use case can raise, the headers it reads and a body quart_schema does
  not describe (a multipart upload, a raw body);
- ``ServiceOpenAPIProvider`` (installed by ``create_service_app``) adds, on every operation,
  what service_kit itself answers: 401 for a missing bearer token (every route but the
  probes), 400 for a body that is not JSON or not UTF-8 and 413 past the body limit (every
  operation with a body), 422 for a body or query that fails its model, 404 for a path whose
  ids match nothing; the ``X-Correlation-ID`` header; and the problem+json schema for them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

from pydantic import BaseModel
from quart_schema.openapi import OpenAPIProvider
from werkzeug.routing import Rule

from service_kit import correlation

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "_service_kit_answers"
PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` lists a 422's invalid fields.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "correlation_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
PROBE_ENDPOINTS = frozenset({"healthz", "readyz", "metrics_endpoint"})
STATUS_OK_JSON = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string"}},
    "additionalProperties": True,
}


@dataclass(frozen=True)
class Header:
    name: str
    description: str
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})

    def parameter(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": "header",
            "required": self.required,
            "description": self.description,
            "schema": dict(self.schema),
        }


X_USER_ID = Header("X-User-ID", "the teacher on whose behalf the call is made", required=True)
IF_MATCH = Header("If-Match", 'the version being changed, as its ETag ("W/\\"3\\"" or "3")')
IF_NONE_MATCH = Header("If-None-Match", "an ETag the client holds: 304 when it still matches")
IDEMPOTENCY_KEY = Header(
    "Idempotency-Key",
    "a key for this request: a retry with the same key and body gets the first answer",
    schema={"type": "string", "minLength": 1, "maxLength": 255},
)
CORRELATION_ID = Header(correlation.HEADER, "a correlation id, echoed and passed on")


@dataclass(frozen=True)
class Raw:
    """A raw request body: its content types and size limit."""

    content_types: tuple[str, ...]
    max_bytes: int | None = None
    description: str = ""

    def request_body(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "format": "binary"}
        if self.max_bytes:
            schema["maxLength"] = self.max_bytes
        text = self.description + (f" At most {self.max_bytes} bytes." if self.max_bytes else "")
        return {
            "required": True,
            "description": text.strip(),
            "content": {kind: {"schema": schema} for kind in self.content_types},
        }


@dataclass(frozen=True)
class FilePart:
    name: str
    content_types: tuple[str, ...]
    many: bool = False
    required: bool = True


@dataclass(frozen=True)
class Multipart:
    """A multipart/form-data upload: its file parts, their content types, the size limit."""

    parts: tuple[FilePart, ...]
    max_bytes: int | None = None
    description: str = ""
    fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def request_body(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        encoding: dict[str, Any] = {}
        required = []
        for part in self.parts:
            one = {"type": "string", "format": "binary"}
            properties[part.name] = {"type": "array", "items": one} if part.many else one
            encoding[part.name] = {"contentType": ", ".join(part.content_types)}
            if part.required:
                required.append(part.name)
        for name, schema in self.fields.items():
            properties[name] = dict(schema)
        text = self.description + (
            f" The whole body is at most {self.max_bytes} bytes." if self.max_bytes else ""
        )
        return {
            "required": True,
            "description": text.strip(),
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "required": required, "properties": properties},
                    "encoding": encoding,
                }
            },
        }


@dataclass(frozen=True)
class Answers:
    statuses: tuple[int, ...] = ()
    headers: tuple[Header, ...] = ()
    body: Raw | Multipart | None = None
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    link_status: int | None = None
    response_headers: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    public: bool = False
    success: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)


def answers(
    *statuses: int,
    headers: Iterable[Header] = (),
    body: Raw | Multipart | None = None,
    links: Mapping[str, Mapping[str, Any]] | None = None,
    link_status: int | None = None,
    response_headers: Mapping[int, Mapping[str, str]] | None = None,
    success: Mapping[int, Mapping[str, Any]] | None = None,
    public: bool = False,
) -> Callable[[F], F]:
    """Declare what a route answers beyond service_kit's own statuses (see the module doc).

    ``statuses``: the problem statuses its use case raises (404, 409, 412, 428, 503…);
    ``headers``: request headers it reads; ``body``: a body quart_schema cannot describe;
    ``links``: OpenAPI links on the ``link_status`` response (create -> read);
    ``response_headers``: headers of a status, name -> description; ``success``: success
    responses quart_schema does not know (status -> OpenAPI response object);
    ``public``: the route takes no bearer token.
    """

    def decorate(func: F) -> F:
        setattr(
            func,
            ATTRIBUTE,
            Answers(
                tuple(statuses),
                tuple(headers),
                body,
                links or {},
                link_status,
                response_headers or {},
                public,
                success or {},
            ),
        )
        return func

    return decorate


def model_content(model: type[BaseModel], media_type: str = "application/json") -> dict[str, Any]:
    """A response's ``content`` for a pydantic model (its ``$defs`` become components)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {media_type: {"schema": schema}}


def problem_response(status: int) -> dict[str, Any]:
    try:
        text = HTTPStatus(status).phrase
    except ValueError:
        text = "Problem"
    return {"description": text, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def _probe_operation(endpoint: str) -> dict[str, Any]:
    if endpoint == "metrics_endpoint":
        return {
            "summary": "Prometheus metrics",
            "responses": {
                "200": {
                    "description": "the metrics, in Prometheus text format",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    ok = {
        "description": "alive" if endpoint == "healthz" else "ready: database migrated to head",
        "content": {"application/json": {"schema": STATUS_OK_JSON}},
    }
    operation: dict[str, Any] = {
        "summary": "liveness" if endpoint == "healthz" else "readiness",
        "responses": {"200": ok},
    }
    if endpoint == "readyz":
        operation["responses"]["503"] = problem_response(503)
    return operation


class ServiceOpenAPIProvider(OpenAPIProvider):
    # how a caller authenticates (a subclass, the gateway's, says otherwise)
    security_schemes: Mapping[str, Mapping[str, Any]] = {
        "internalToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "INTERNAL_API_TOKEN, when the service is given one",
        }
    }
    unauthenticated_status = 401

    def schema(self) -> dict[str, Any]:
        schema = super().schema()
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        components.setdefault("securitySchemes", {}).update(
            {name: dict(scheme) for name, scheme in self.security_schemes.items()}
        )
        return schema

    def build_paths(self, rule: Rule) -> tuple[dict, dict]:
        self._extra_components: dict[str, Any] = {}
        paths, components = super().build_paths(rule)
        func = self._app.view_functions[rule.endpoint]
        declared: Answers = getattr(func, ATTRIBUTE, Answers())
        for operations in paths.values():
            for method, operation in list(operations.items()):
                if rule.endpoint in PROBE_ENDPOINTS:
                    operations[method] = {
                        **_probe_operation(rule.endpoint),
                        "operationId": operation.get("operationId"),
                        "security": [],
                    }
                    continue
                operations[method] = self._complete(
                    dict(operation), declared, bool(rule.arguments), method
                )
        return paths, {**self._extra_components, **components}

    def _complete(
        self, operation: dict[str, Any], declared: Answers, has_path: bool, method: str
    ) -> dict[str, Any]:
        responses: dict[str, Any] = {str(k): v for k, v in operation["responses"].items()}
        for status, response in declared.success.items():
            responses[str(status)] = dict(response)
            for media in response.get("content", {}).values():
                schema = media.get("schema", {})
                if "$defs" in schema:
                    self._extra_components.update(schema.pop("$defs"))
        parameters = list(operation.get("parameters", []))
        names = {p["name"].lower() for p in parameters if p.get("in") == "header"}
        for header in (*declared.headers, CORRELATION_ID):
            if header.name.lower() not in names:
                parameters.append(header.parameter())
        operation["parameters"] = parameters
        if declared.body is not None:
            operation["requestBody"] = declared.body.request_body()
        has_body = "requestBody" in operation
        has_query = any(p.get("in") == "query" for p in parameters)
        statuses = set(declared.statuses)
        if declared.public:
            operation["security"] = []
        else:
            statuses.add(self.unauthenticated_status)
            operation["security"] = [{name: []} for name in self.security_schemes]
        if has_body:
            statuses |= {400, 413}
        if has_body or has_query or any(h.required for h in declared.headers):
            statuses.add(422)
        if has_path:
            statuses.add(404)
        for status in sorted(statuses):
            responses.setdefault(str(status), problem_response(status))
        if not any(s.startswith("2") or s.startswith("3") for s in responses):
            responses["204" if method == "delete" else "200"] = {"description": "done"}
        for status, headers in declared.response_headers.items():
            target = responses.setdefault(str(status), {"description": "done"})
            target.setdefault("headers", {}).update(
                {
                    name: {"description": text, "schema": {"type": "string"}}
                    for name, text in headers.items()
                }
            )
        if declared.links:
            linked = str(declared.link_status or min(s for s in responses if s.startswith("2")))
            responses[linked].setdefault("links", {}).update(
                {name: dict(link) for name, link in declared.links.items()}
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation
