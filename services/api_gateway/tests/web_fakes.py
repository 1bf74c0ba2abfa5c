"""The six services as the web pages see them: one in-memory fake behind httpx.MockTransport,
with batches that have names, settings and phases, files with outcomes, essays with spelling
and corrections, an assessment with a ranking, and results as JSON and CSV. Every request is
recorded (``seen``)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.upstream import HttpUpstream, make_upstream_client

PROBLEM = {"content-type": "application/problem+json"}
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC).isoformat()
TEXT = "Teh cat sat on teh mat."
CORRECTIONS = [
    {"start": 0, "end": 3, "original": "Teh", "suggestion": "The", "candidates": [], "position": 0},
    {
        "start": 15,
        "end": 18,
        "original": "teh",
        "suggestion": "the",
        "candidates": [],
        "position": 1,
    },
]


def problem(status: int, detail: str, **extra: Any) -> httpx.Response:
    body = {"type": "about:blank", "title": "refused", "status": status, "detail": detail, **extra}
    return httpx.Response(status, headers=PROBLEM, json=body)


@dataclass
class WebServices:
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    essays: dict[str, dict[str, Any]] = field(default_factory=dict)
    assessments: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, str] = field(default_factory=dict)  # job id -> essay id
    seen: list[tuple[str, str, bytes]] = field(default_factory=list)
    processing_answers: int = 0  # how many starts answer 409 files_processing first

    # ---- building state ---------------------------------------------------------------
    def add_batch(
        self, owner: uuid.UUID | str, name: str = "Class 9B", status: str = "ready"
    ) -> str:
        batch_id = uuid.uuid4().hex
        self.batches[batch_id] = {
            "batch_id": batch_id,
            "name": name,
            "owner": str(owner),
            "language": "en",
            "status": status,
            "pipeline": ["spellcheck", "cj_assessment"],
            "expected_essay_count": None,
            "settings": {"cj": {"judge": "baseline", "target_reliability": 0.8}},
            "version": 1,
            "created_at": NOW,
            "updated_at": NOW,
            "phases": [],
            "essays": None,
            "degraded": False,
        }
        return batch_id

    def add_file(self, batch_id: str, filename: str, status: str = "ready") -> str:
        file_id = str(uuid.uuid4())
        self.files[file_id] = {
            "file_id": file_id,
            "batch_id": batch_id,
            "filename": filename,
            "status": status,
            "error_code": "unreadable" if status == "rejected" else None,
            "error_message": "the file is not a document we can read"
            if status == "rejected"
            else None,
            "deleted_at": None,
        }
        return file_id

    def finish(self, batch_id: str) -> list[str]:
        """The batch done: an essay per accepted file, spelling, an assessment, results."""
        batch = self.batches[batch_id]
        batch["status"] = "completed"
        batch["phases"] = [
            {
                "phase": p,
                "attempt": 1,
                "status": "succeeded",
                "essays": 0,
                "succeeded": 0,
                "failed": 0,
                "started_at": NOW,
                "finished_at": NOW,
            }
            for p in ("spellcheck", "cj_assessment")
        ]
        ids = []
        for f in self.files.values():
            if f["batch_id"] != batch_id or f["status"] != "ready":
                continue
            essay_id, job_id = str(uuid.uuid4()), str(uuid.uuid4())
            self.jobs[job_id] = essay_id
            self.essays[essay_id] = {
                "essay_id": essay_id,
                "batch_id": batch_id,
                "file_id": f["file_id"],
                "filename": f["filename"],
                "status": "completed",
                "version": 3,
                "language": "en",
                "file_version": 1,
                "text_content_id": "ab" * 32,
                "raw_content_id": None,
                "corrected_text_content_id": None,
                "error_code": None,
                "error_message": None,
                "phase": None,
                "phase_attempt": None,
                "spelling": {
                    "job_id": job_id,
                    "word_count": 6,
                    "error_count": 2,
                    "errors_per_100_words": 33.3,
                },
                "assessment": None,
                "created_at": NOW,
                "updated_at": NOW,
            }
            ids.append(essay_id)
        for p in batch["phases"]:
            p["essays"] = p["succeeded"] = len(ids)
        ranking = [
            {
                "essay_id": e,
                "score": 1.5 - i,
                "se": 0.4,
                "rank": i + 1,
                "comparisons": 7,
                "grade": "A" if i == 0 else "C",
                "grade_probabilities": {"A": 0.7, "C": 0.3},
            }
            for i, e in enumerate(ids)
        ] + [
            {
                "essay_id": "anchor-1",
                "score": 0.2,
                "se": 0.3,
                "rank": len(ids) + 1,
                "comparisons": 5,
                "anchor": True,
                "anchor_grade": "B",
            }
        ]
        assessment_id = str(uuid.uuid4())
        self.assessments[assessment_id] = {
            "assessment_id": assessment_id,
            "batch_id": batch_id,
            "status": "completed",
            "judge": "baseline",
            "reliability": 0.86,
            "comparisons": 40,
            "settings": {"target_reliability": 0.8, "grade_scale": ["C", "B", "A"]},
            "ranking": ranking,
        }
        return ids

    # ---- the fake ---------------------------------------------------------------------
    def _batch_rows(self, batch_id: str) -> list[dict[str, Any]]:
        rank = {
            r["essay_id"]: r
            for a in self.assessments.values()
            if a["batch_id"] == batch_id
            for r in a["ranking"]
        }
        rows = []
        for e in self.essays.values():
            if e["batch_id"] != batch_id:
                continue
            r = rank.get(e["essay_id"], {})
            s = e["spelling"] or {}
            rows.append(
                {
                    "essay_id": e["essay_id"],
                    "filename": e["filename"],
                    "status": e["status"],
                    "word_count": s.get("word_count"),
                    "error_count": s.get("error_count"),
                    "errors_per_100_words": s.get("errors_per_100_words"),
                    "score": r.get("score"),
                    "se": r.get("se"),
                    "rank": r.get("rank"),
                    "grade": r.get("grade"),
                }
            )
        return sorted(rows, key=lambda r: r["rank"] or 0)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.seen.append((request.method, str(request.url), body))
        parts = request.url.path.strip("/").split("/")
        user = request.headers.get("x-user-id")
        method = request.method
        if parts == ["v1", "batches"]:
            if method == "POST":
                data = json.loads(body)
                errors = []
                if not str(data.get("name", "")).strip():
                    errors.append(
                        {
                            "loc": ["body", "name"],
                            "msg": "String should have at least 1 character",
                            "type": "string_too_short",
                        }
                    )
                if data.get("language") not in ("en", "sv", "auto"):
                    errors.append(
                        {
                            "loc": ["body", "language"],
                            "msg": "Input should be 'en', 'sv' or 'auto'",
                            "type": "literal_error",
                        }
                    )
                tr = (data.get("cj") or {}).get("target_reliability")
                if tr is not None and not 0 < tr < 1:
                    errors.append(
                        {
                            "loc": ["body", "cj", "target_reliability"],
                            "msg": "Input should be less than 1",
                            "type": "less_than",
                        }
                    )
                if errors:
                    return problem(422, "the request is invalid", errors=errors)
                batch_id = self.add_batch(user or "", data["name"], "awaiting_content")
                self.batches[batch_id]["settings"] = (
                    {"cj": data.get("cj")} if data.get("cj") else {}
                )
                return httpx.Response(201, json=self.batches[batch_id])
            mine = [b for b in self.batches.values() if b["owner"] == user]
            limit = int(request.url.params.get("limit", "50"))
            start = int(request.url.params.get("cursor", "0") or 0)
            page = mine[start : start + limit]
            nxt = str(start + limit) if start + limit < len(mine) else None
            return httpx.Response(200, json={"items": page, "next_cursor": nxt})
        if parts[:2] == ["v1", "batches"] and len(parts) >= 3:
            batch = self.batches.get(parts[2])
            if batch is None:
                return problem(404, f"no batch {parts[2]}")
            rest = parts[3:]
            batch_id = parts[2]
            if not rest:
                return httpx.Response(200, json=batch)
            if rest == ["summary"]:
                mine = [e for e in self.essays.values() if e["batch_id"] == batch_id]
                by: dict[str, int] = {}
                for e in mine:
                    by[e["status"]] = by.get(e["status"], 0) + 1
                return httpx.Response(
                    200,
                    json={
                        "batch_id": batch_id,
                        "total": len(mine),
                        "expected_essay_count": None,
                        "by_status": by,
                        "terminal": len(mine),
                        "completion_percent": 100.0 if mine else 0.0,
                        "phases": [],
                    },
                )
            if rest == ["essays"]:
                items = [e for e in self.essays.values() if e["batch_id"] == batch_id]
                return httpx.Response(200, json={"items": items, "next_cursor": None})
            if rest == ["files"] and method == "GET":
                items = [f for f in self.files.values() if f["batch_id"] == batch_id]
                return httpx.Response(200, json={"items": items, "next_cursor": None})
            if rest == ["files"] and method == "POST":
                name = request.headers.get("content-type", "")
                filename = _filename(body) or "upload.txt"
                status = "rejected" if filename.endswith(".bin") else "ready"
                file_id = self.add_file(batch_id, filename, status)
                return httpx.Response(
                    202, json={"batch_id": batch_id, "files": [self.files[file_id]], "ct": name}
                )
            if rest == ["pipeline"]:
                if batch["status"] not in ("ready", "awaiting_content"):
                    return problem(409, "already started", code="not_startable")
                if self.processing_answers > 0:
                    self.processing_answers -= 1
                    response = problem(
                        409,
                        "1 of the batch's files are still being processed",
                        code="files_processing",
                        files=1,
                        files_processing=1,
                    )
                    response.headers["Retry-After"] = "2"
                    return response
                batch["status"] = "processing"
                return httpx.Response(202, json=batch)
            if rest[0] == "phases" and rest[-1] == "retry":
                return problem(409, "nothing failed in that phase")
            if rest == ["results"]:
                rows = self._batch_rows(batch_id)
                if request.url.params.get("format") == "csv":
                    out = io.StringIO()
                    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["essay_id"])
                    writer.writeheader()
                    writer.writerows(rows)
                    return httpx.Response(
                        200,
                        content=out.getvalue().encode(),
                        headers={
                            "content-type": "text/csv; charset=utf-8",
                            "content-disposition": f'attachment; filename="results-{batch_id}.csv"',
                        },
                    )
                found = [a for a in self.assessments.values() if a["batch_id"] == batch_id]
                rejected = sum(
                    1
                    for f in self.files.values()
                    if f["batch_id"] == batch_id and f["status"] == "rejected"
                )
                return httpx.Response(
                    200,
                    json={
                        "batch_id": batch_id,
                        "status": batch["status"],
                        "reliability": found[0]["reliability"] if found else None,
                        "comparisons": found[0]["comparisons"] if found else None,
                        "accounting": {
                            "accepted_files": len(rows) + rejected,
                            "results": len(rows),
                            "rejected_files": rejected,
                            "unaccounted_files": 0,
                        },
                        "essays": rows,
                    },
                )
        if parts[:2] == ["v1", "files"] and len(parts) >= 3:
            f = self.files.get(parts[2])
            if f is None or f.get("deleted_at"):
                return problem(404, "no file")
            if method == "DELETE":
                f["deleted_at"] = NOW
                return httpx.Response(204)
            if method == "PUT":
                f["filename"] = _filename(body) or f["filename"]
                f["status"] = "ready"
                return httpx.Response(202, json=f)
            return httpx.Response(200, json=f)
        if parts[:2] == ["v1", "essays"] and len(parts) >= 3:
            e = self.essays.get(parts[2])
            if e is None:
                return problem(404, "no essay")
            if parts[3:] == ["timeline"]:
                return httpx.Response(
                    200,
                    json={
                        "essay_id": parts[2],
                        "events": [
                            {
                                "sequence": 1,
                                "event": "essay.ready",
                                "from_status": None,
                                "to_status": "ready",
                                "details": {},
                                "correlation_id": None,
                                "at": NOW,
                            },
                            {
                                "sequence": 2,
                                "event": "cj_assessment.succeeded",
                                "from_status": "ready",
                                "to_status": "completed",
                                "details": {},
                                "correlation_id": None,
                                "at": NOW,
                            },
                        ],
                    },
                )
            return httpx.Response(200, json=e)
        if parts == ["v1", "assessments"]:
            batch_id = request.url.params.get("batch_id")
            items = [
                {k: v for k, v in a.items() if k != "ranking"}
                for a in self.assessments.values()
                if a["batch_id"] == batch_id
            ]
            return httpx.Response(200, json={"items": items, "next_cursor": None})
        if parts[:2] == ["v1", "assessments"] and len(parts) == 3:
            a = self.assessments.get(parts[2])
            return httpx.Response(200, json=a) if a else problem(404, "no assessment")
        if parts[:2] == ["v1", "jobs"] and len(parts) >= 3:
            essay_id = self.jobs.get(parts[2])
            if essay_id is None:
                return problem(404, "no job")
            if parts[3:] == ["corrections"]:
                return httpx.Response(
                    200, json={"job_id": parts[2], "items": CORRECTIONS, "next_cursor": None}
                )
            return httpx.Response(
                200, json={"job_id": parts[2], "batch_id": self.essays[essay_id]["batch_id"]}
            )
        if parts[:2] == ["v1", "content"] and len(parts) == 3:
            return httpx.Response(
                200, content=TEXT.encode(), headers={"content-type": "text/plain"}
            )
        return problem(404, "the fake has no such route")

    def upstream(self, token: str | None = None) -> HttpUpstream:
        settings = EdgeSettings()
        client = make_upstream_client(settings, token, httpx.MockTransport(self.handle))
        return HttpUpstream(client, settings.service_urls())


def _filename(body: bytes) -> str | None:
    marker = b'filename="'
    at = body.find(marker)
    if at < 0:
        return None
    end = body.find(b'"', at + len(marker))
    return body[at + len(marker) : end].decode("utf-8", "replace")
