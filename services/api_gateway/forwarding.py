"""The public API the gateway forwards: one row per route of the six services, and the rules
that are pure data (which headers cross, how a path is rebuilt).

Same paths, methods and bodies as the services. Every route here is authenticated, rate
limited and checked for ownership: the resource it names (a batch, or a file, essay,
assessment, document or spell-check job resolved to its batch) must belong to the caller's
batch. Routes of the services that are NOT here, on purpose:

- ``/internal/*``, ``/docs``, ``/openapi.json``, ``/metrics``: service-to-service and operators.
- ``POST /v1/assessments`` (cj_assessment), ``POST /v1/jobs`` (spell_checker): they take a
  ``callback_url`` the service will call (a request forgery through the platform) and create
  work outside any batch; the pipeline creates them.
- ``POST /v1/content``, ``GET|HEAD /v1/content/{id}``, ``POST /v1/documents``, ``PATCH|DELETE
  /v1/documents/{id}`` (content_service): blobs are content-addressed and nobody owns one, so
  a content id would be a bearer capability; documents are the pipeline's own records (their
  reads below are forwarded, resolved to their batch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote


class Owned(StrEnum):
    """What a route's ownership check resolves to the batch."""

    NONE = "none"  # nothing to own: create a batch, list one's own batches, check a text
    BATCH = "batch"  # the path names the batch
    QUERY_BATCH = "query_batch"  # ?batch_id= names it (required through the gateway)
    FILE = "file"
    ESSAY = "essay"
    ASSESSMENT = "assessment"
    DOCUMENT = "document"
    JOB = "job"


class LimitKind(StrEnum):
    GENERAL = "general"
    UPLOADS = "uploads"
    JUDGING = "judging"
    LOGIN = "login"


class BodyKind(StrEnum):
    NONE = "none"
    JSON = "json"  # read whole (bounded) and forwarded with its length
    STREAM = "stream"  # uploads: streamed through, never held whole


class JudgeRewrite(StrEnum):
    NONE = "none"
    QUERY = "query"  # ?judge_id=
    BODY = "body"  # {"judge_id": ...}


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    rule: str  # the Quart rule (converters as in the service) and the Prometheus label
    service: str
    owned: Owned
    param: str | None = None  # the path parameter naming the owned resource
    limit: LimitKind = LimitKind.GENERAL
    body: BodyKind = BodyKind.NONE
    judge: JudgeRewrite = JudgeRewrite.NONE
    judge_may: bool = False  # a judge-only session may call it (on its batch's assessment)
    records_owner: bool = False  # a 201 creates a batch: remember who owns it
    drop_query: tuple[str, ...] = ()  # query parameters the gateway decides, not the client

    @property
    def endpoint(self) -> str:
        words = re.sub(r"<(?:\w+:)?(\w+)>", r"\1", self.rule).strip("/").replace("-", "_")
        return f"{self.method.lower()}_{re.sub(r'[^a-z0-9_]+', '_', words)}"

    def upstream_path(self, params: dict[str, Any]) -> str:
        """The service's path for these parameters (the same path, each value re-quoted)."""

        def value(match: re.Match[str]) -> str:
            return quote(str(params[match.group(1)]), safe="")

        return re.sub(r"<(?:\w+:)?(\w+)>", value, self.rule)


BO, ELS, FS, CJ, CS, SC = (
    "batch_orchestrator",
    "essay_lifecycle",
    "file_service",
    "cj_assessment",
    "content_service",
    "spell_checker",
)
B = "<batch_id>"

ROUTES: tuple[Route, ...] = (
    # batch_orchestrator
    Route("POST", "/v1/batches", BO, Owned.NONE, body=BodyKind.JSON, records_owner=True),
    Route("GET", "/v1/batches", BO, Owned.NONE, drop_query=("owner",)),
    Route("GET", f"/v1/batches/{B}", BO, Owned.BATCH, "batch_id"),
    Route("GET", f"/v1/batches/{B}/history", BO, Owned.BATCH, "batch_id"),
    Route("POST", f"/v1/batches/{B}/pipeline", BO, Owned.BATCH, "batch_id", body=BodyKind.JSON),
    Route(
        "POST",
        f"/v1/batches/{B}/phases/<phase>/retry",
        BO,
        Owned.BATCH,
        "batch_id",
        body=BodyKind.JSON,
    ),
    Route("POST", f"/v1/batches/{B}/cancel", BO, Owned.BATCH, "batch_id", body=BodyKind.JSON),
    Route("GET", f"/v1/batches/{B}/results", BO, Owned.BATCH, "batch_id"),
    # file_service
    Route(
        "POST",
        f"/v1/batches/{B}/files",
        FS,
        Owned.BATCH,
        "batch_id",
        limit=LimitKind.UPLOADS,
        body=BodyKind.STREAM,
    ),
    Route("GET", f"/v1/batches/{B}/files", FS, Owned.BATCH, "batch_id"),
    Route(
        "PUT",
        "/v1/files/<uuid:file_id>",
        FS,
        Owned.FILE,
        "file_id",
        limit=LimitKind.UPLOADS,
        body=BodyKind.STREAM,
    ),
    Route("GET", "/v1/files/<uuid:file_id>", FS, Owned.FILE, "file_id"),
    Route("GET", "/v1/files/<uuid:file_id>/versions", FS, Owned.FILE, "file_id"),
    Route("DELETE", "/v1/files/<uuid:file_id>", FS, Owned.FILE, "file_id"),
    # essay_lifecycle
    Route("GET", "/v1/essays/<uuid:essay_id>", ELS, Owned.ESSAY, "essay_id"),
    Route("GET", "/v1/essays/<uuid:essay_id>/timeline", ELS, Owned.ESSAY, "essay_id"),
    Route("GET", f"/v1/batches/{B}/essays", ELS, Owned.BATCH, "batch_id"),
    Route("GET", f"/v1/batches/{B}/summary", ELS, Owned.BATCH, "batch_id"),
    # cj_assessment
    Route("GET", "/v1/assessments", CJ, Owned.QUERY_BATCH),
    Route(
        "GET",
        "/v1/assessments/<uuid:assessment_id>",
        CJ,
        Owned.ASSESSMENT,
        "assessment_id",
        judge_may=True,
    ),
    # the ranking a page at a time, or all of it as CSV: the batch's teacher only
    Route(
        "GET", "/v1/assessments/<uuid:assessment_id>/ranking", CJ, Owned.ASSESSMENT, "assessment_id"
    ),
    Route(
        "GET",
        "/v1/assessments/<uuid:assessment_id>/next-pair",
        CJ,
        Owned.ASSESSMENT,
        "assessment_id",
        limit=LimitKind.JUDGING,
        judge=JudgeRewrite.QUERY,
        judge_may=True,
    ),
    Route(
        "POST",
        "/v1/assessments/<uuid:assessment_id>/judgements",
        CJ,
        Owned.ASSESSMENT,
        "assessment_id",
        limit=LimitKind.JUDGING,
        body=BodyKind.JSON,
        judge=JudgeRewrite.BODY,
        judge_may=True,
    ),
    # the batch's teacher excludes a judge's judgements (the scale is refitted without them)
    # and takes the exclusion back; never a judge-only session
    Route(
        "POST",
        "/v1/assessments/<uuid:assessment_id>/judges/<string:judge_id>/exclude",
        CJ,
        Owned.ASSESSMENT,
        "assessment_id",
    ),
    Route(
        "DELETE",
        "/v1/assessments/<uuid:assessment_id>/judges/<string:judge_id>/exclude",
        CJ,
        Owned.ASSESSMENT,
        "assessment_id",
    ),
    # content_service (reads of the pipeline's documents)
    Route("GET", "/v1/documents", CS, Owned.QUERY_BATCH),
    Route("GET", "/v1/documents/<uuid:document_id>", CS, Owned.DOCUMENT, "document_id"),
    # spell_checker
    Route("POST", "/v1/check", SC, Owned.NONE, body=BodyKind.JSON),
    Route("GET", "/v1/jobs/<uuid:job_id>", SC, Owned.JOB, "job_id"),
    Route("GET", "/v1/jobs/<uuid:job_id>/corrections", SC, Owned.JOB, "job_id"),
)

# how a resource is resolved to its batch: the service and the path of its read, whose JSON
# answer carries ``batch_id`` (asked with the internal token, as a service would)
RESOLVERS: dict[Owned, tuple[str, str]] = {
    Owned.FILE: (FS, "/v1/files/{id}"),
    Owned.ESSAY: (ELS, "/v1/essays/{id}"),
    Owned.ASSESSMENT: (CJ, "/v1/assessments/{id}"),
    Owned.DOCUMENT: (CS, "/v1/documents/{id}"),
    Owned.JOB: (SC, "/v1/jobs/{id}"),
}

# request headers a client may send on to a service; everything else (Authorization,
# Cookie, X-User-ID, X-Forwarded-*, hop-by-hop headers) stops at the gateway
REQUEST_HEADERS = frozenset(
    {
        "accept",
        "accept-language",
        "content-type",
        "content-length",
        "if-match",
        "if-none-match",
        "idempotency-key",
    }
)
# answer headers a service may send back to the client
RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-disposition",
        "content-encoding",
        "etag",
        "location",
        "retry-after",
        "cache-control",
        "last-modified",
    }
)
MAX_BATCH_ID = 64  # the services' limit on a batch id


def forwardable_headers(headers: Any, allowed: frozenset[str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() in allowed}
