"""batch_orchestrator HTTP API: what a teacher's client talks to, plus ELS's outcomes.
Each route parses, calls one use case (use_cases/) and maps its result (schemas.py)."""

from __future__ import annotations

from typing import Any

from dishka.integrations.base import FromDishka
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.errors import DomainError
from service_kit.openapi import Header, answers
from services.batch_orchestrator.schemas import (
    AppliedOut,
    BatchGateOut,
    BatchIn,
    BatchListQuery,
    BatchOut,
    BatchPage,
    OutcomeIn,
    PhaseOut,
    ResultsQuery,
    batch_out,
    gate_out,
    history_body,
    outcome_of,
    results_body,
    results_page_body,
)
from services.batch_orchestrator.use_cases import (
    ApplyPhaseOutcome,
    ApplyPhaseOutcomeCommand,
    BatchView,
    CancelBatch,
    CancelBatchCommand,
    CreateBatch,
    CreateBatchCommand,
    ExportResultsCsv,
    ExportResultsCsvCommand,
    GetBatch,
    GetBatchCommand,
    GetBatchGate,
    GetBatchGateCommand,
    GetBatchHistory,
    GetBatchHistoryCommand,
    GetResults,
    GetResultsCommand,
    ListBatches,
    ListBatchesCommand,
    ListResults,
    ListResultsCommand,
    RetryPhase,
    RetryPhaseCommand,
    StartPipeline,
    StartPipelineCommand,
)

blueprint = Blueprint("batches", __name__)
USER_HEADER = "X-User-ID"


USER = Header(USER_HEADER, "the teacher the call acts for (none: a service's call)")
CREATOR = Header(USER_HEADER, "the teacher who will own the batch", required=True)
READ_BATCH = {
    "GetBatch": {
        "operationId": "get_get_batch",
        "parameters": {"batch_id": "$response.body#/batch_id"},
    },
    "BatchHistory": {
        "operationId": "get_batch_history",
        "parameters": {"batch_id": "$response.body#/batch_id"},
    },
    "StartPipeline": {
        "operationId": "post_start_pipeline",
        "parameters": {"batch_id": "$response.body#/batch_id"},
    },
    "CancelBatch": {
        "operationId": "post_cancel_batch",
        "parameters": {"batch_id": "$response.body#/batch_id"},
    },
}
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
RETRY_AFTER = {"Retry-After": "seconds to wait before trying again"}


class MissingUser(DomainError):
    status = 401
    title = "User required"


def caller() -> str | None:
    """The teacher a request acts for; None for a service-to-service call."""
    user = request.headers.get(USER_HEADER)
    return user[:128] if user else None


def creator() -> str:
    user = caller()
    if user is None:
        raise MissingUser(f"send {USER_HEADER}: a batch belongs to the user who creates it")
    return user


@blueprint.post("/v1/batches")
@answers(headers=(CREATOR,), links=READ_BATCH, link_status=201)
@validate_request(BatchIn)
@validate_response(BatchOut, 201)
@inject
async def create_batch(data: BatchIn, create: FromDishka[CreateBatch]) -> tuple[BatchOut, int]:
    view = await create.execute(
        CreateBatchCommand(
            owner=creator(),
            name=data.name,
            language=data.language,
            pipeline=data.pipeline,
            expected_essay_count=data.expected_essay_count,
            spellcheck=data.spellcheck,
            cj=data.cj,
        )
    )
    return batch_out(view), 201


@blueprint.get("/v1/batches/<batch_id>")
@answers(headers=(USER,))
@validate_response(BatchOut)
@inject
async def get_batch(batch_id: str, get: FromDishka[GetBatch]) -> BatchOut:
    return batch_out(await get.execute(GetBatchCommand(batch_id, caller())))


@blueprint.get("/v1/batches")
@answers(headers=(USER,))
@validate_querystring(BatchListQuery)
@validate_response(BatchPage)
@inject
async def list_batches(query_args: BatchListQuery, list_: FromDishka[ListBatches]) -> BatchPage:
    found = await list_.execute(
        ListBatchesCommand(
            caller=caller(),
            owner=query_args.owner,
            status=query_args.status,
            limit=query_args.limit,
            cursor=query_args.cursor,
        )
    )
    return BatchPage(
        items=[batch_out(BatchView(b)) for b in found.batches], next_cursor=found.next_cursor
    )


@blueprint.get("/v1/batches/<batch_id>/history")
@answers(
    headers=(USER,),
    success={
        200: {"description": "the batch's status changes, oldest first", "content": JSON_OBJECT}
    },
)
@inject
async def batch_history(batch_id: str, history: FromDishka[GetBatchHistory]) -> dict[str, Any]:
    changes = await history.execute(GetBatchHistoryCommand(batch_id, caller()))
    return history_body(batch_id, changes)


@blueprint.post("/v1/batches/<batch_id>/pipeline")
@answers(409, 422, 503, headers=(USER,), response_headers={503: RETRY_AFTER})
@validate_response(BatchOut, 202)
@inject
async def start_pipeline(batch_id: str, start: FromDishka[StartPipeline]) -> tuple[BatchOut, int]:
    batch = await start.execute(StartPipelineCommand(batch_id, caller()))
    return batch_out(BatchView(batch)), 202


@blueprint.post("/internal/v1/batches/<batch_id>/phase-outcomes")
@answers(409)
@validate_request(OutcomeIn)
@validate_response(AppliedOut)
@inject
async def phase_outcome(
    batch_id: str, data: OutcomeIn, apply: FromDishka[ApplyPhaseOutcome]
) -> AppliedOut:
    result = await apply.execute(ApplyPhaseOutcomeCommand(batch_id, outcome_of(data)))
    return AppliedOut.model_validate(result)


@blueprint.post("/v1/batches/<batch_id>/phases/<phase>/retry")
@answers(409, headers=(USER,))
@validate_response(PhaseOut, 202)
@inject
async def retry_phase(
    batch_id: str, phase: str, retry: FromDishka[RetryPhase]
) -> tuple[PhaseOut, int]:
    attempt = await retry.execute(RetryPhaseCommand(batch_id, phase, caller()))
    return PhaseOut.model_validate(attempt), 202


@blueprint.post("/v1/batches/<batch_id>/cancel")
@answers(409, headers=(USER,))
@validate_response(BatchOut)
@inject
async def cancel_batch(batch_id: str, cancel: FromDishka[CancelBatch]) -> BatchOut:
    batch = await cancel.execute(CancelBatchCommand(batch_id, caller()))
    return batch_out(BatchView(batch))


@blueprint.get("/v1/batches/<batch_id>/results")
@answers(
    409,
    headers=(USER,),
    success={
        200: {
            "description": "the results: JSON, or CSV with ?format=csv",
            "content": {**JSON_OBJECT, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
@validate_querystring(ResultsQuery)
@inject
async def results(
    batch_id: str,
    query_args: ResultsQuery,
    get: FromDishka[GetResults],
    page: FromDishka[ListResults],
    export: FromDishka[ExportResultsCsv],
) -> Any:
    if query_args.format == "csv":
        csv = await export.execute(ExportResultsCsvCommand(batch_id, caller()))
        return Response(
            csv.chunks,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{csv.filename}"'},
        )
    if query_args.limit is not None or query_args.cursor is not None:
        command = ListResultsCommand(batch_id, caller(), query_args.limit, query_args.cursor)
        return results_page_body(await page.execute(command))
    return results_body(await get.execute(GetResultsCommand(batch_id, caller())))


@blueprint.get("/internal/v1/batches/<batch_id>")
@answers()
@validate_response(BatchGateOut)
@inject
async def internal_status(batch_id: str, gate: FromDishka[GetBatchGate]) -> BatchGateOut:
    return gate_out(await gate.execute(GetBatchGateCommand(batch_id)))
