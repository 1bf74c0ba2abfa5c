"""Each service's OpenAPI document says what its operations really answer (issue 18): the
problem statuses with the problem+json schema, the headers they read, their bodies (uploads
included), the probes; and the gateway's public document carries every forwarded operation
as its service documents it, with the gateway's own answers added."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from services.api_gateway.forwarding import ROUTES
from services.api_gateway.openapi import EXTENSION

SERVICES = (
    "content_service",
    "file_service",
    "essay_lifecycle",
    "spell_checker",
    "cj_assessment",
    "batch_orchestrator",
    "api_gateway",
)
PROBLEM = {"$ref": "#/components/schemas/Problem"}


def document(service: str, upstream: dict[str, Any] | None = None) -> dict[str, Any]:
    app = importlib.import_module(f"services.{service}.app").create_app()
    if upstream is not None:
        app.extensions[EXTENSION] = upstream
    spec: dict[str, Any] = app.extensions["QUART_SCHEMA"].openapi_provider.schema()
    return spec


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, o) for p, item in spec["paths"].items() for m, o in item.items()]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_documents_its_problems_and_headers(service: str):
    spec = document(service)
    assert spec["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
    for method, path, operation in operations(spec):
        responses = operation["responses"]
        assert any(s[0] in "23" for s in responses), (method, path)
        for status, response in responses.items():
            if status[0] in "45":
                media = response["content"]["application/problem+json"]
                assert media["schema"] == PROBLEM, (method, path, status)
        if path in ("/healthz", "/readyz", "/metrics"):
            assert operation["security"] == []
            continue
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "X-Correlation-ID" in headers, (method, path)
        if operation["security"]:
            assert "401" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)


def test_the_probes_are_documented():
    paths = document("content_service")["paths"]
    assert set(paths["/readyz"]["get"]["responses"]) == {"200", "503"}
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]


def test_uploads_and_raw_bodies_are_described():
    files = document("file_service")["paths"]
    upload = files["/v1/batches/{batch_id}/files"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]
    assert form["schema"]["properties"]["files"]["items"]["format"] == "binary"
    assert "application/zip" in form["encoding"]["files"]["contentType"]
    assert {"409", "413", "415", "422"} <= set(upload["responses"])
    replace = files["/v1/files/{file_id}"]["put"]["requestBody"]["content"]
    assert "multipart/form-data" in replace
    content = document("content_service")["paths"]
    raw = content["/v1/content"]["post"]
    assert raw["requestBody"]["content"]["*/*"]["schema"]["format"] == "binary"
    assert {"200", "201"} <= set(raw["responses"])


def test_headers_statuses_and_links_of_the_use_cases():
    content = document("content_service")["paths"]
    patch = content["/v1/documents/{document_id}"]["patch"]
    assert {"409", "412", "428"} <= set(patch["responses"])
    assert "If-Match" in {p["name"] for p in patch["parameters"]}
    create = content["/v1/documents"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert create["responses"]["201"]["links"]["GetDocument"]["operationId"] == "get_get_document"
    batches = document("batch_orchestrator")["paths"]
    start = batches["/v1/batches/{batch_id}/pipeline"]["post"]
    assert "Retry-After" in start["responses"]["503"]["headers"]
    create_batch = batches["/v1/batches"]["post"]
    user = next(p for p in create_batch["parameters"] if p["name"] == "X-User-ID")
    assert user["required"] is True


def test_the_gateway_documents_each_forwarded_operation_as_its_service_does():
    upstream = {s: document(s) for s in {route.service for route in ROUTES}}
    spec = document("api_gateway", upstream)
    paths = spec["paths"]
    for route in ROUTES:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.rule)  # any converter
        operation = paths[path][route.method.lower()]
        service_operation = upstream[route.service]["paths"][path][route.method.lower()]
        statuses = set(operation["responses"])
        assert {"401", "403", "404", "429", "502", "503"} <= statuses, path
        assert {s for s in service_operation["responses"] if s != "401"} <= statuses, path
        names = {p["name"] for p in operation["parameters"]}
        assert "X-User-ID" not in names, path
        if route.method != "GET":
            assert "X-CSRF-Token" in names, path
    upload = paths["/v1/batches/{batch_id}/files"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    create = paths["/v1/batches"]["post"]["requestBody"]["content"]["application/json"]
    spellcheck = create["schema"]["properties"]["spellcheck"]["$ref"]
    assert spellcheck == "#/components/schemas/batch_orchestrator.SpellcheckSettings"
    assert "batch_orchestrator.SpellcheckSettings" in spec["components"]["schemas"]
    assert "judge_id" not in {
        p["name"] for p in paths["/v1/assessments/{assessment_id}/next-pair"]["get"]["parameters"]
    }
    links = paths["/v1/batches"]["post"]["responses"]["201"]["links"]
    assert links["GetBatch"]["operationId"] == "get_get_v1_batches_batch_id"
    login = paths["/v1/auth/login"]["post"]
    assert login["security"] == [] and "429" in login["responses"]
