"""EDGE's test doubles: the six services as one in-memory fake behind httpx.MockTransport."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.domain import Principal
from services.api_gateway.upstream import HttpUpstream, make_upstream_client

JSON = {"content-type": "application/json"}


def user(role: str = "teacher") -> Principal:
    return Principal(uuid.uuid4(), "user", role, f"{uuid.uuid4().hex[:6]}@school.test", "api_key")  # type: ignore[arg-type]


def judge(batch_id: str) -> Principal:
    return Principal(uuid.uuid4(), "judge", None, None, "judge_session", batch_id)


@dataclass
class Seen:
    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes


@dataclass
class FakeServices:
    """Just enough of the six services: batches with owners, files, essays, assessments,
    documents and jobs that name their batch; every request is recorded."""

    batches: dict[str, str] = field(default_factory=dict)  # batch_id -> owner (X-User-ID)
    files: dict[str, str] = field(default_factory=dict)  # id -> batch_id
    essays: dict[str, str] = field(default_factory=dict)
    assessments: dict[str, str | None] = field(default_factory=dict)
    documents: dict[str, str | None] = field(default_factory=dict)
    jobs: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    down: bool = False

    def add_batch(self, owner: uuid.UUID | str) -> dict[str, str]:
        """A batch with one of everything in it; the ids by kind."""
        batch_id = uuid.uuid4().hex
        self.batches[batch_id] = str(owner)
        ids = {"batch": batch_id}
        for kind, table in (
            ("file", self.files),
            ("essay", self.essays),
            ("assessment", self.assessments),
            ("document", self.documents),
            ("job", self.jobs),
        ):
            ids[kind] = str(uuid.uuid4())
            table[ids[kind]] = batch_id
        return ids

    def forwarded(self, path_part: str = "") -> list[Seen]:
        """The requests that were not the gateway's own ownership look-ups."""
        return [s for s in self.seen if s.headers.get("x-user-id") and path_part in s.url.path]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        body = await request.aread()
        self.seen.append(Seen(request.method, request.url, request.headers, body))
        parts = request.url.path.strip("/").split("/")
        user = request.headers.get("x-user-id")
        if parts[:2] == ["v1", "batches"] and len(parts) == 2 and request.method == "POST":
            batch_id = uuid.uuid4().hex
            self.batches[batch_id] = user or ""
            return httpx.Response(201, headers=JSON, json={"batch_id": batch_id, "owner": user})
        if parts[:2] == ["v1", "batches"] and len(parts) == 2:
            mine = [b for b, o in self.batches.items() if o == user]
            return httpx.Response(200, json={"items": mine, "next_cursor": None})
        if parts[:2] == ["v1", "batches"] and len(parts) >= 3:
            owner = self.batches.get(parts[2])
            if owner is None:
                return self._missing()
            if len(parts) == 3 and request.method == "GET":
                return httpx.Response(200, json={"batch_id": parts[2], "owner": owner})
            return httpx.Response(
                202 if request.method == "POST" else 200,
                json={"batch_id": parts[2], "path": request.url.path, "size": len(body)},
            )
        tables: dict[str, dict[str, Any]] = {
            "files": self.files,
            "essays": self.essays,
            "assessments": self.assessments,
            "documents": self.documents,
            "jobs": self.jobs,
        }
        if len(parts) >= 2 and parts[1] in tables:
            if len(parts) == 2:  # a listing by ?batch_id=
                return httpx.Response(200, json={"items": [], "next_cursor": None})
            table = tables[parts[1]]
            if parts[2] not in table:
                return self._missing()
            echo: dict[str, Any] = {"batch_id": table[parts[2]], "path": request.url.path}
            if parts[-1] == "judgements":
                echo["received"] = json.loads(body)
                return httpx.Response(201, json=echo)
            if parts[-1] == "next-pair":
                echo["judge_id"] = request.url.params.get("judge_id")
            if request.method == "DELETE":
                return httpx.Response(204)
            return httpx.Response(202 if request.method == "PUT" else 200, json=echo)
        if parts == ["v1", "check"]:
            return httpx.Response(200, json={"corrections": []})
        return self._missing()

    @staticmethod
    def _missing() -> httpx.Response:
        return httpx.Response(
            404,
            headers={"content-type": "application/problem+json"},
            json={"title": "Not found", "status": 404, "detail": "service's own 404"},
        )

    def upstream(self, token: str | None = None) -> HttpUpstream:
        """The gateway's own client (its headers and hooks) on a transport to this fake."""
        settings = EdgeSettings()
        transport = httpx.MockTransport(self.handle)
        client = make_upstream_client(settings, token, transport)
        return HttpUpstream(client, settings.service_urls())
