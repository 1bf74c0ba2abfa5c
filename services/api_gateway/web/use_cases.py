"""The page use cases: what each page needs, gathered through the gateway's forwarding with the
page's principal (``gateway.Gateway``). One use case per page or action; the routes in
``pages/`` stay thin. A stranger's batch, file or essay is the forwarding's own 404, which the
page shows as the 404 page."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from service_kit.errors import NotFound
from services.api_gateway.protocols_edge import Upstream, UpstreamCall
from services.api_gateway.web.gateway import Answer, Gateway

CORRECTIONS_PER_PAGE = 500  # spell_checker's largest page (service_kit.pagination)
CORRECTION_PAGES = 20

B = "/v1/batches/<batch_id>"
PAGE_SIZE = 20
LIST_LIMIT = 500


class ServiceRefused(Exception):
    """A service answered with an error a page cannot show as a field error."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"{answer.status}")
        self.answer = answer


def _ok(answer: Answer) -> Any:
    if answer.status == 404:
        problem = answer.json() or {}
        raise NotFound(str(problem.get("detail") or "not found"))
    if not answer.ok:
        raise ServiceRefused(answer)
    return answer.json()


# ---- page 2: batches --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchRow:
    batch_id: str
    name: str
    status: str
    language: str
    essays: int | None
    created_at: str


@dataclass(frozen=True, slots=True)
class BatchesPage:
    rows: list[BatchRow]
    next_cursor: str | None


class ListBatchesPage:
    """The principal's batches (newest first, the orchestrator's keyset pages), each with its
    essay count from essay_lifecycle (asked concurrently; missing when none is known yet)."""

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(self, cursor: str | None) -> BatchesPage:
        query = [("limit", str(PAGE_SIZE))] + ([("cursor", cursor)] if cursor else [])
        page = _ok(await self._gw.call("GET", "/v1/batches", query=query))
        items = page.get("items", [])
        summaries = await asyncio.gather(
            *(self._gw.call("GET", f"{B}/summary", batch_id=b["batch_id"]) for b in items)
        )
        rows = []
        for item, summary in zip(items, summaries, strict=True):
            data = summary.json() if summary.ok else None
            rows.append(
                BatchRow(
                    batch_id=item["batch_id"],
                    name=item.get("name", ""),
                    status=item.get("status", ""),
                    language=item.get("language", ""),
                    essays=data.get("total") if isinstance(data, dict) else None,
                    created_at=str(item.get("created_at", ""))[:16].replace("T", " "),
                )
            )
        return BatchesPage(rows, page.get("next_cursor"))


# ---- page 3: a new batch ----------------------------------------------------------------

# the form's fields (names in the page) -> where the orchestrator's validation errors point
FIELD_OF_LOC = {
    ("name",): "name",
    ("language",): "language",
    ("pipeline",): "pipeline",
    ("expected_essay_count",): "expected_essay_count",
    ("cj", "judge"): "judge",
    ("cj", "min_comparisons_per_essay"): "min_comparisons",
    ("cj", "max_comparisons_per_essay"): "max_comparisons",
    ("cj", "target_reliability"): "target_reliability",
    ("cj", "grade_scale"): "grade_scale",
    ("cj", "instructions"): "instructions",
    ("cj", "anchors"): "anchors",
}
ANCHOR_ROWS = 3


@dataclass(slots=True)
class NewBatchForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    form_error: str | None = None


@dataclass(frozen=True, slots=True)
class Created:
    batch_id: str


def _number(
    values: dict[str, str], name: str, errors: dict[str, str], kind: type, message: str
) -> Any:
    raw = values.get(name, "").strip().replace(",", ".") if kind is float else values.get(name, "")
    if not str(raw).strip():
        return None
    try:
        number = kind(str(raw).strip())
    except ValueError:
        errors[name] = message
        return None
    if isinstance(number, float) and not math.isfinite(number):
        errors[name] = message
        return None
    return number


def batch_request(values: dict[str, str], messages: dict[str, str]) -> tuple[Any, dict[str, str]]:
    """The form -> the orchestrator's ``POST /v1/batches`` body, or the errors the form itself
    can tell (a number that is not one); the service's own rules are checked by the service."""
    errors: dict[str, str] = {}
    ranking = values.get("run") != "spellcheck"
    body: dict[str, Any] = {
        "name": values.get("name", "").strip(),
        "language": values.get("language", ""),
        "pipeline": "full" if ranking else "spellcheck",
    }
    expected = _number(values, "expected_essay_count", errors, int, messages["whole"])
    if expected is not None:
        body["expected_essay_count"] = expected
    if ranking:
        cj: dict[str, Any] = {"judge": values.get("judge", "")}
        for name, key, kind in (
            ("min_comparisons", "min_comparisons_per_essay", int),
            ("max_comparisons", "max_comparisons_per_essay", int),
            ("target_reliability", "target_reliability", float),
        ):
            number = _number(
                values, name, errors, kind, messages["whole" if kind is int else "number"]
            )
            if number is not None:
                cj[key] = number
        scale = [g.strip() for g in values.get("grade_scale", "").split(",") if g.strip()]
        if scale:
            cj["grade_scale"] = scale
        if values.get("instructions", "").strip():
            cj["instructions"] = values["instructions"].strip()
        anchors = []
        for i in range(ANCHOR_ROWS):
            grade = values.get(f"anchor_grade_{i}", "").strip()
            text = values.get(f"anchor_text_{i}", "").strip()
            if grade or text:
                if not grade:
                    errors[f"anchor_grade_{i}"] = messages["anchor_grade"]
                if not text:
                    errors[f"anchor_text_{i}"] = messages["anchor_text"]
                anchors.append({"grade": grade, "text": text})
        if anchors:
            cj["anchors"] = anchors
        body["cj"] = cj
    return body, errors


def field_errors(problem: Any) -> tuple[dict[str, str], str | None]:
    """A service's problem+json -> errors by form field (its ``errors[].loc``), and what is
    left for the top of the form."""
    if not isinstance(problem, dict):
        return {}, None
    found: dict[str, str] = {}
    left: list[str] = []
    for item in problem.get("errors") or []:
        loc = [p for p in item.get("loc", []) if p != "body"]
        message = str(item.get("msg", ""))
        name = None
        if len(loc) >= 4 and loc[:2] == ["cj", "anchors"] and isinstance(loc[2], int):
            name = f"anchor_{'grade' if loc[3] == 'grade' else 'text'}_{loc[2]}"
        else:
            for size in (2, 1):
                name = FIELD_OF_LOC.get(tuple(loc[:size]))
                if name:
                    break
        if name:
            found.setdefault(name, message)
        else:
            left.append(message)
    if not found and not left:
        left.append(str(problem.get("detail") or problem.get("title") or ""))
    return found, "; ".join(m for m in left if m) or None


class CreateBatchFromForm:
    """Create a batch from the new-batch form. The form carries a one-time id: the same form
    sent twice (a double click) creates one batch (remembered in this process, bounded)."""

    _seen: OrderedDict[tuple[str, str], str] = OrderedDict()
    _SEEN_MAX = 10_000

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(
        self, values: dict[str, str], messages: dict[str, str]
    ) -> Created | NewBatchForm:
        key = (str(self._gw.principal.id), values.get("form_id", ""))
        if key[1] and key in self._seen:
            return Created(self._seen[key])
        body, errors = batch_request(values, messages)
        if errors:
            return NewBatchForm(values, errors)
        answer = await self._gw.call("POST", "/v1/batches", json_body=body)
        if answer.status == 201:
            batch_id = str(answer.json()["batch_id"])
            if key[1]:
                self._seen[key] = batch_id
                while len(self._seen) > self._SEEN_MAX:
                    self._seen.popitem(last=False)
            return Created(batch_id)
        if answer.status in (400, 409, 422):
            found, left = field_errors(answer.json())
            return NewBatchForm(values, found, left)
        raise ServiceRefused(answer)


def new_form_id() -> str:
    return uuid.uuid4().hex


# ---- page 4: upload ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UploadPage:
    batch: dict[str, Any]
    files: list[dict[str, Any]]


async def _all_files(gw: Gateway, batch_id: str) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(files) < LIST_LIMIT:
        query = [("limit", "200")] + ([("cursor", cursor)] if cursor else [])
        page = _ok(await gw.call("GET", f"{B}/files", query=query, batch_id=batch_id))
        files.extend(page.get("items", []))
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return files


class GetUploadPage:
    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(self, batch_id: str) -> UploadPage:
        batch = _ok(await self._gw.call("GET", B, batch_id=batch_id))
        return UploadPage(batch, await _all_files(self._gw, batch_id))


@dataclass(frozen=True, slots=True)
class StartOutcome:
    started: bool
    retry_after: int | None = None  # files still being processed: try again then
    processing: int | None = None
    message: str | None = None


class StartBatch:
    """Start the pipeline. ``409 files_processing`` (with Retry-After) says the files are not
    all processed yet; starting an already started batch is not an error here."""

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(self, batch_id: str) -> StartOutcome:
        answer = await self._gw.call("POST", f"{B}/pipeline", json_body={}, batch_id=batch_id)
        if answer.status == 404:
            _ok(answer)
        if answer.ok:
            return StartOutcome(True)
        problem = answer.json() or {}
        if answer.status == 409 and problem.get("code") == "files_processing":
            retry = answer.headers.get("retry-after") or answer.headers.get("Retry-After")
            return StartOutcome(
                False,
                retry_after=int(retry) if retry and retry.isdigit() else 2,
                processing=problem.get("files_processing"),
                message=problem.get("detail"),
            )
        if answer.status == 409:
            batch = _ok(await self._gw.call("GET", B, batch_id=batch_id))
            if batch.get("status") not in ("awaiting_content", "ready"):
                return StartOutcome(True)  # already started (a second click)
            return StartOutcome(False, message=problem.get("detail"))
        raise ServiceRefused(answer)


# ---- page 5: progress -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgressPage:
    batch: dict[str, Any]
    by_status: dict[str, int]
    total: int
    completion_percent: float
    phases: list[dict[str, Any]]
    reliability: float | None
    target_reliability: float | None
    comparisons: int | None
    failures: list[dict[str, Any]]
    finished: bool


FINISHED = {"completed", "completed_with_failures", "failed", "cancelled"}


async def _assessment(gw: Gateway, batch_id: str) -> dict[str, Any] | None:
    listed = await gw.call("GET", "/v1/assessments", query=[("batch_id", batch_id)])
    items = (listed.json() or {}).get("items", []) if listed.ok else []
    if not items:
        return None
    latest = items[-1]
    full = await gw.call(
        "GET", "/v1/assessments/<uuid:assessment_id>", assessment_id=latest["assessment_id"]
    )
    return full.json() if full.ok else latest


class GetProgress:
    """The batch, its essays by state, each phase's attempts, the reliability reached so far,
    and the essays that failed (for Retry)."""

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(self, batch_id: str) -> ProgressPage:
        batch = _ok(await self._gw.call("GET", B, batch_id=batch_id))
        summary_answer, essays_answer, assessment = await asyncio.gather(
            self._gw.call("GET", f"{B}/summary", batch_id=batch_id),
            self._gw.call("GET", f"{B}/essays", query=[("limit", "200")], batch_id=batch_id),
            _assessment(self._gw, batch_id),
        )
        summary = summary_answer.json() if summary_answer.ok else {}
        essays = (essays_answer.json() or {}).get("items", []) if essays_answer.ok else []
        failures = [
            e for e in essays if e.get("error_code") or str(e.get("status", "")).endswith("failed")
        ]
        settings = (assessment or {}).get("settings") or {}
        cj_settings = (batch.get("settings") or {}).get("cj") or {}
        return ProgressPage(
            batch=batch,
            by_status=dict((summary or {}).get("by_status") or {}),
            total=int((summary or {}).get("total") or 0),
            completion_percent=float((summary or {}).get("completion_percent") or 0.0),
            phases=list(batch.get("phases") or []),
            reliability=(assessment or {}).get("reliability"),
            target_reliability=settings.get("target_reliability")
            or cj_settings.get("target_reliability"),
            comparisons=(assessment or {}).get("comparisons"),
            failures=failures,
            finished=batch.get("status") in FINISHED,
        )


class RetryPhase:
    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(self, batch_id: str, phase: str) -> str | None:
        """None when the retry started, else the service's reason."""
        answer = await self._gw.call(
            "POST", f"{B}/phases/<phase>/retry", json_body={}, batch_id=batch_id, phase=phase
        )
        if answer.status == 404:
            _ok(answer)
        if answer.ok:
            return None
        return str((answer.json() or {}).get("detail") or answer.status)


# ---- page 6: results --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResultsPage:
    batch: dict[str, Any]
    rows: list[dict[str, Any]]
    reliability: float | None
    comparisons: int | None
    accounting: dict[str, Any]
    rejected: list[dict[str, Any]]
    ranking: list[dict[str, Any]]  # the assessment's, anchors included
    grade_scale: list[str]


class GetResults:
    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(self, batch_id: str) -> ResultsPage:
        batch = _ok(await self._gw.call("GET", B, batch_id=batch_id))
        results_answer, files, assessment = await asyncio.gather(
            self._gw.call("GET", f"{B}/results", batch_id=batch_id),
            _all_files(self._gw, batch_id),
            _assessment(self._gw, batch_id),
        )
        results = results_answer.json() if results_answer.ok else {}
        ranking = list((assessment or {}).get("ranking") or [])
        probabilities = {r["essay_id"]: r.get("grade_probabilities") for r in ranking}
        rows = []
        for row in (results or {}).get("essays", []):
            grade = row.get("grade")
            probs = probabilities.get(row.get("essay_id")) or {}
            rows.append({**row, "grade_probability": probs.get(grade) if grade else None})
        settings = (assessment or {}).get("settings") or {}
        scale = settings.get("grade_scale") or ((batch.get("settings") or {}).get("cj") or {}).get(
            "grade_scale"
        )
        return ResultsPage(
            batch=batch,
            rows=rows,
            reliability=(results or {}).get("reliability"),
            comparisons=(results or {}).get("comparisons"),
            accounting=(results or {}).get("accounting") or {},
            rejected=[f for f in files if f.get("status") == "rejected"],
            ranking=ranking,
            grade_scale=list(scale or []),
        )


class DownloadResultsCsv:
    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    async def execute(self, batch_id: str) -> Answer:
        answer = await self._gw.call(
            "GET", f"{B}/results", query=[("format", "csv")], batch_id=batch_id
        )
        if not answer.ok:
            _ok(answer)
        return answer


# ---- the essay page ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EssayPage:
    essay: dict[str, Any]
    text: str | None
    segments: list[tuple[str, dict[str, Any] | None]]  # text, or a correction over it
    corrections: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    ranked: dict[str, Any] | None
    comparisons: int | None


def segments_of(text: str, corrections: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The text cut at its corrections (offsets into the text; overlaps and bad offsets are
    skipped rather than trusted)."""
    parts: list[tuple[str, Any]] = []
    at = 0
    for c in sorted(corrections, key=lambda c: (c.get("start", 0), c.get("end", 0))):
        start, end = int(c.get("start", -1)), int(c.get("end", -1))
        if start < at or end <= start or end > len(text):
            continue
        if start > at:
            parts.append((text[at:start], None))
        parts.append((text[start:end], c))
        at = end
    if at < len(text):
        parts.append((text[at:], None))
    return parts


class GetEssayPage:
    """The essay (its read goes through the forwarding: a stranger's essay is 404), its
    timeline, its spelling corrections (the spell-check job's, forwarded and owned likewise),
    its text, and its place in the assessment.

    The text is a content_service blob, which the public API does not forward (a content id
    would be a bearer capability). Here the content id is the one the owned essay record names,
    read after the ownership check passed, so the text is read from content_service directly
    with the internal token — never for an id a client chose."""

    def __init__(self, gateway: Gateway, upstream: Upstream) -> None:
        self._gw = gateway
        self._upstream = upstream

    async def _corrections(self, job_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every correction of the job, page by page (spell_checker serves at most 500 a page;
        an essay has far fewer, so CORRECTION_PAGES pages are a bound, not a limit met)."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(CORRECTION_PAGES):
            query = [("limit", str(CORRECTIONS_PER_PAGE))]
            if cursor:
                query.append(("cursor", cursor))
            answer = await self._gw.call(
                "GET", "/v1/jobs/<uuid:job_id>/corrections", query=query, job_id=job_id
            )
            if not answer.ok:
                break
            body = answer.json() or {}
            found.extend(body.get("items", []))
            cursor = body.get("next_cursor")
            if not cursor:
                break
        return found

    async def execute(self, essay_id: uuid.UUID) -> EssayPage:
        essay = _ok(await self._gw.call("GET", "/v1/essays/<uuid:essay_id>", essay_id=essay_id))
        timeline_answer = await self._gw.call(
            "GET", "/v1/essays/<uuid:essay_id>/timeline", essay_id=essay_id
        )
        timeline = (timeline_answer.json() or {}).get("events", []) if timeline_answer.ok else []
        job_id = (essay.get("spelling") or {}).get("job_id")
        corrections: list[dict[str, Any]] = []
        if job_id:
            try:
                job_uuid = uuid.UUID(str(job_id))
            except ValueError:
                job_uuid = None
            if job_uuid is not None:
                corrections = await self._corrections(job_uuid)
        text = await self._text(essay)
        assessment = await _assessment(self._gw, str(essay.get("batch_id")))
        ranked = next(
            (
                r
                for r in (assessment or {}).get("ranking") or []
                if r.get("essay_id") == str(essay_id)
            ),
            None,
        )
        return EssayPage(
            essay=essay,
            text=text,
            segments=segments_of(text, corrections) if text is not None else [],
            corrections=corrections,
            timeline=timeline,
            ranked=ranked,
            comparisons=(ranked or {}).get("comparisons"),
        )

    async def _text(self, essay: dict[str, Any]) -> str | None:
        content_id = essay.get("text_content_id")
        if not isinstance(content_id, str) or not content_id.isalnum() or len(content_id) > 64:
            return None
        answer = await self._upstream.open(
            UpstreamCall(
                service="content_service",
                method="GET",
                path=f"/v1/content/{content_id}",
                query=[],
                headers={},
                user_id=str(self._gw.principal.id),
                body=None,
            )
        )
        data = await answer.read()
        if answer.status != 200:
            return None
        return data.decode("utf-8", errors="replace")
