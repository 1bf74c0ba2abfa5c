"""essay_lifecycle HTTP API: internal commands and callbacks, public reads. Each route
parses, calls one use case and maps its result (the models are in ``schemas``)."""

from __future__ import annotations

import uuid
from typing import Any

from dishka.integrations.base import FromDishka
from quart import Blueprint
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit import correlation
from service_kit.openapi import answers
from services.essay_lifecycle.domain import require_phase
from services.essay_lifecycle.schemas import (
    AppliedOut,
    AssessmentResultIn,
    AttemptQuery,
    BatchIn,
    BatchOut,
    CancelledOut,
    EssayListQuery,
    EssayOut,
    EssayPage,
    FileNoticeIn,
    PhaseCommandIn,
    PhaseRunOut,
    SpellcheckResultIn,
    SummaryOut,
    TimelineOut,
)
from services.essay_lifecycle.use_cases import (
    ApplyAssessmentResult,
    ApplyAssessmentResultCommand,
    ApplySpellcheckResult,
    ApplySpellcheckResultCommand,
    CancelBatch,
    CancelBatchCommand,
    ForgetDeletedFile,
    ForgetDeletedFileCommand,
    GetBatchSummary,
    GetBatchSummaryCommand,
    GetEssay,
    GetEssayCommand,
    GetTimeline,
    GetTimelineCommand,
    ListEssays,
    ListEssaysCommand,
    RecordFileNotice,
    RecordFileNoticeCommand,
    RegisterBatch,
    RegisterBatchCommand,
    StartPhase,
    StartPhaseCommand,
)

blueprint = Blueprint("essays", __name__)


@blueprint.post("/internal/v1/batches")
@answers(
    409,
    links={
        "BatchSummary": {
            "operationId": "get_batch_summary",
            "parameters": {"batch_id": "$response.body#/batch_id"},
        },
        "ListEssays": {
            "operationId": "get_list_essays",
            "parameters": {"batch_id": "$response.body#/batch_id"},
        },
    },
    link_status=201,
)
@validate_request(BatchIn)
@validate_response(BatchOut, 201)
@inject
async def register_batch(
    data: BatchIn, register: FromDishka[RegisterBatch]
) -> tuple[BatchOut, int]:
    batch = await register.execute(RegisterBatchCommand(**data.model_dump()))
    return BatchOut.model_validate(batch), 201


@blueprint.post("/internal/v1/batches/<batch_id>/essays")
@answers(
    409,
    links={
        "GetEssay": {
            "operationId": "get_get_essay",
            "parameters": {"essay_id": "$response.body#/essay_id"},
        },
        "Timeline": {
            "operationId": "get_get_timeline",
            "parameters": {"essay_id": "$response.body#/essay_id"},
        },
    },
    link_status=201,
)
@validate_request(FileNoticeIn)
@validate_response(EssayOut, 201)
@validate_response(EssayOut, 200)
@inject
async def receive_file(
    batch_id: str, data: FileNoticeIn, record: FromDishka[RecordFileNotice]
) -> tuple[EssayOut, int]:
    command = RecordFileNoticeCommand(
        batch_id=batch_id, correlation_id=correlation.current(), **data.model_dump()
    )
    recorded = await record.execute(command)
    return EssayOut.model_validate(recorded.essay), 201 if recorded.changed else 200


@blueprint.delete("/internal/v1/batches/<batch_id>/files/<file_id>")
@answers(
    409,
    success={
        200: {
            "description": "the essay the file had become, now withdrawn (nulls: none)",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "essay_id": {"type": ["string", "null"]},
                            "status": {"type": ["string", "null"]},
                        },
                    }
                }
            },
        }
    },
)
@inject
async def withdraw_file(
    batch_id: str, file_id: str, forget: FromDishka[ForgetDeletedFile]
) -> dict[str, Any]:
    essay = await forget.execute(ForgetDeletedFileCommand(batch_id, file_id, correlation.current()))
    return {
        "essay_id": str(essay.id) if essay else None,
        "status": essay.status.value if essay else None,
    }


@blueprint.post("/internal/v1/batches/<batch_id>/phases/<phase>")
@answers(409)
@validate_request(PhaseCommandIn)
@validate_response(PhaseRunOut, 202)
@inject
async def start_phase(
    batch_id: str, phase: str, data: PhaseCommandIn, start: FromDishka[StartPhase]
) -> tuple[PhaseRunOut, int]:
    command = StartPhaseCommand(
        batch_id=batch_id,
        phase=require_phase(phase),
        correlation_id=correlation.current(),
        **data.model_dump(),
    )
    return PhaseRunOut.model_validate(await start.execute(command)), 202


@blueprint.post("/internal/v1/essays/<uuid:essay_id>/spellcheck-result")
@answers(409)
@validate_querystring(AttemptQuery)
@validate_request(SpellcheckResultIn)
@validate_response(AppliedOut)
@inject
async def spellcheck_result(
    essay_id: uuid.UUID,
    query_args: AttemptQuery,
    data: SpellcheckResultIn,
    apply_result: FromDishka[ApplySpellcheckResult],
) -> AppliedOut:
    command = ApplySpellcheckResultCommand(
        essay_id=essay_id,
        attempt=query_args.attempt,
        succeeded=data.status == "succeeded",
        corrected_text_content_id=data.corrected_text_content_id,
        # the figures exactly as spell_checker sent them (SpellcheckFigures)
        spelling=data.model_dump(exclude={"status", "reason"}, exclude_unset=True),
        reason=data.reason,
        correlation_id=correlation.current(),
    )
    return AppliedOut.model_validate(await apply_result.execute(command))


@blueprint.post("/internal/v1/batches/<batch_id>/cj-result")
@answers(409)
@validate_querystring(AttemptQuery)
@validate_request(AssessmentResultIn)
@validate_response(AppliedOut)
@inject
async def cj_result(
    batch_id: str,
    query_args: AttemptQuery,
    data: AssessmentResultIn,
    apply_result: FromDishka[ApplyAssessmentResult],
) -> AppliedOut:
    command = ApplyAssessmentResultCommand(
        batch_id=batch_id,
        attempt=query_args.attempt,
        succeeded=data.status != "failed",
        # each row as cj_assessment sent it (RankedEssay), by essay
        ranking={row.essay_id: row.model_dump(exclude_unset=True) for row in data.ranking},
        reason=data.reason,
        # the run's figures (CjRunSummary), sent on in the outcome
        summary=data.model_dump(exclude={"status", "reason", "ranking"}, exclude_unset=True),
        correlation_id=correlation.current(),
    )
    return AppliedOut.model_validate(await apply_result.execute(command))


@blueprint.post("/internal/v1/batches/<batch_id>/cancel")
@answers(409)
@validate_response(CancelledOut)
@inject
async def cancel_batch(batch_id: str, cancel: FromDishka[CancelBatch]) -> CancelledOut:
    cancelled = await cancel.execute(CancelBatchCommand(batch_id, correlation.current()))
    return CancelledOut.model_validate(cancelled)


@blueprint.get("/v1/essays/<uuid:essay_id>")
@answers()
@validate_response(EssayOut)
@inject
async def get_essay(essay_id: uuid.UUID, get: FromDishka[GetEssay]) -> EssayOut:
    return EssayOut.model_validate(await get.execute(GetEssayCommand(essay_id)))


@blueprint.get("/v1/essays/<uuid:essay_id>/timeline")
@answers()
@validate_response(TimelineOut)
@inject
async def get_timeline(essay_id: uuid.UUID, timeline: FromDishka[GetTimeline]) -> TimelineOut:
    return TimelineOut.of(essay_id, await timeline.execute(GetTimelineCommand(essay_id)))


@blueprint.get("/v1/batches/<batch_id>/essays")
@answers()
@validate_querystring(EssayListQuery)
@validate_response(EssayPage)
@inject
async def list_essays(
    batch_id: str, query_args: EssayListQuery, list_: FromDishka[ListEssays]
) -> EssayPage:
    command = ListEssaysCommand(batch_id, query_args.status, query_args.limit, query_args.cursor)
    return EssayPage.model_validate(await list_.execute(command))


@blueprint.get("/v1/batches/<batch_id>/summary")
@answers()
@validate_response(SummaryOut)
@inject
async def batch_summary(batch_id: str, summarise: FromDishka[GetBatchSummary]) -> SummaryOut:
    summary = await summarise.execute(GetBatchSummaryCommand(batch_id))
    return SummaryOut.model_validate(summary, from_attributes=True)
