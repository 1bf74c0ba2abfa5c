"""Pages 2-6 and the essay page: thin routes, one page use case each."""

from __future__ import annotations

import uuid

from quart import Response, request

from services.api_gateway.domain import Forbidden
from services.api_gateway.protocols_edge import Upstream
from services.api_gateway.use_cases.forwarding import ForwardRequest
from services.api_gateway.use_cases.limits import AdmitRequest
from services.api_gateway.web import scale
from services.api_gateway.web.auth import container, page_principal
from services.api_gateway.web.blueprint import blueprint
from services.api_gateway.web.gateway import Gateway
from services.api_gateway.web.render import render_page, see_other, translator
from services.api_gateway.web.use_cases import (
    ANCHOR_ROWS,
    CreateBatchFromForm,
    Created,
    DownloadResultsCsv,
    GetEssayPage,
    GetProgress,
    GetResults,
    GetUploadPage,
    ListBatchesPage,
    RetryPhase,
    StartBatch,
    new_form_id,
)

PHASES = ("spellcheck", "cj_assessment")
FORM_FIELDS = (
    "form_id",
    "name",
    "language",
    "run",
    "judge",
    "expected_essay_count",
    "min_comparisons",
    "max_comparisons",
    "target_reliability",
    "grade_scale",
    "instructions",
    *(f"anchor_{part}_{i}" for i in range(ANCHOR_ROWS) for part in ("grade", "text")),
)
NEW_BATCH_DEFAULTS = {
    "language": "auto",
    "run": "full",
    "judge": "baseline",
    "min_comparisons": "5",
    "max_comparisons": "20",
    "target_reliability": "0.8",
}


async def teacher_gateway() -> Gateway:
    """The signed-in user's gateway (a judge-only session has no teacher pages: 403)."""
    principal = await page_principal()
    if principal.kind != "user":
        raise Forbidden("a judge session can only judge its assessment")
    scope = container()
    return Gateway(await scope.get(ForwardRequest), await scope.get(AdmitRequest), principal)


@blueprint.get("/batches")
async def batches() -> Response:
    gateway = await teacher_gateway()
    cursor = request.args.get("cursor") or None
    page = await ListBatchesPage(gateway).execute(cursor)
    return await render_page(
        "pages/batches.html", title_key="batches.title", page=page, cursor=cursor
    )


def _form_messages() -> dict[str, str]:
    t = translator()
    return {
        "whole": t("form.whole_number"),
        "number": t("form.number"),
        "anchor_grade": t("new.anchor_grade_required"),
        "anchor_text": t("new.anchor_text_required"),
    }


@blueprint.get("/batches/new")
async def new_batch_form() -> Response:
    await teacher_gateway()
    values = {**NEW_BATCH_DEFAULTS, "form_id": new_form_id()}
    return await render_page(
        "pages/new_batch.html",
        title_key="new.title",
        form=values,
        errors={},
        anchor_rows=range(ANCHOR_ROWS),
    )


@blueprint.post("/batches/new")
async def create_batch() -> Response:
    gateway = await teacher_gateway()
    form = await request.form
    values = {name: str(form.get(name, "")) for name in FORM_FIELDS}
    outcome = await CreateBatchFromForm(gateway).execute(values, _form_messages())
    if isinstance(outcome, Created):
        return see_other(f"/batches/{outcome.batch_id}/upload")
    return await render_page(
        "pages/new_batch.html",
        status=422,
        title_key="new.title",
        form=outcome.values,
        errors=outcome.errors,
        page_error=outcome.form_error or translator()("form.fix_errors"),
        anchor_rows=range(ANCHOR_ROWS),
    )


@blueprint.get("/batches/<batch_id>/upload")
async def upload(batch_id: str) -> Response:
    gateway = await teacher_gateway()
    page = await GetUploadPage(gateway).execute(batch_id)
    return await render_page(
        "pages/upload.html", title_key="upload.title", page=page, batch_id=batch_id, start=None
    )


@blueprint.post("/batches/<batch_id>/start")
async def start(batch_id: str) -> Response:
    gateway = await teacher_gateway()
    outcome = await StartBatch(gateway).execute(batch_id)
    if outcome.started:
        return see_other(f"/batches/{batch_id}/progress")
    page = await GetUploadPage(gateway).execute(batch_id)
    headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after else None
    return await render_page(
        "pages/upload.html",
        status=409,
        headers=headers,
        title_key="upload.title",
        page=page,
        batch_id=batch_id,
        start=outcome,
    )


async def _progress(batch_id: str, template: str) -> Response:
    gateway = await teacher_gateway()
    page = await GetProgress(gateway).execute(batch_id)
    return await render_page(
        template, title_key="progress.title", page=page, batch_id=batch_id, retry_error=None
    )


@blueprint.get("/batches/<batch_id>/progress")
async def progress(batch_id: str) -> Response:
    return await _progress(batch_id, "pages/progress.html")


@blueprint.get("/batches/<batch_id>/progress/panel")
async def progress_panel(batch_id: str) -> Response:
    """The live part of the progress page, fetched by app.js every few seconds."""
    return await _progress(batch_id, "parts/progress_panel.html")


@blueprint.post("/batches/<batch_id>/phases/<phase>/retry")
async def retry(batch_id: str, phase: str) -> Response:
    gateway = await teacher_gateway()
    if phase not in PHASES:
        await GetProgress(gateway).execute(batch_id)  # a stranger's batch: 404 first
        return see_other(f"/batches/{batch_id}/progress")
    refused = await RetryPhase(gateway).execute(batch_id, phase)
    if refused is None:
        return see_other(f"/batches/{batch_id}/progress")
    page = await GetProgress(gateway).execute(batch_id)
    return await render_page(
        "pages/progress.html",
        status=409,
        title_key="progress.title",
        page=page,
        batch_id=batch_id,
        retry_error=refused,
    )


@blueprint.get("/batches/<batch_id>/results")
async def results(batch_id: str) -> Response:
    gateway = await teacher_gateway()
    page = await GetResults(gateway).execute(batch_id)
    names = {str(r.get("essay_id")): str(r.get("filename") or "") for r in page.rows}
    anchor = translator()("results.anchor")
    for r in page.ranking:
        if r.get("anchor") or r.get("anchor_grade"):
            names.setdefault(str(r.get("essay_id")), anchor)
    drawing = scale.draw(page.ranking, names, page.grade_scale)
    return await render_page(
        "pages/results.html",
        title_key="results.title",
        page=page,
        batch_id=batch_id,
        drawing=drawing,
    )


@blueprint.get("/batches/<batch_id>/results.csv")
async def results_csv(batch_id: str) -> Response:
    gateway = await teacher_gateway()
    answer = await DownloadResultsCsv(gateway).execute(batch_id)
    headers = {
        k: v
        for k, v in answer.headers.items()
        if k.lower() in ("content-type", "content-disposition")
    }
    return Response(answer.body, status=200, headers=headers)


@blueprint.get("/essays/<uuid:essay_id>")
async def essay(essay_id: uuid.UUID) -> Response:
    gateway = await teacher_gateway()
    upstream = await container().get(Upstream)
    page = await GetEssayPage(gateway, upstream).execute(essay_id)
    return await render_page("pages/essay.html", title_key="essay.title", page=page)
