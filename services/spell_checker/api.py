"""spell_checker HTTP API: parse, call one use case, map its result."""

from __future__ import annotations

import uuid

from dishka.integrations.base import FromDishka
from quart import Blueprint, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.messaging import inbox
from service_kit.openapi import IDEMPOTENCY_KEY, answers
from services.spell_checker.schemas import (
    CheckIn,
    CheckOut,
    CorrectionPage,
    CorrectionQuery,
    JobIn,
    JobOut,
    job_request,
)
from services.spell_checker.use_cases import (
    CheckText,
    CheckTextCommand,
    GetJob,
    GetJobCommand,
    ListCorrections,
    ListCorrectionsCommand,
    RequestSpellcheck,
    RequestSpellcheckCommand,
)

blueprint = Blueprint("spell_checker", __name__)


@blueprint.post("/v1/check")
@answers()
@validate_request(CheckIn)
@validate_response(CheckOut)
@inject
async def check(data: CheckIn, check_text: FromDishka[CheckText]) -> CheckOut:
    command = CheckTextCommand(data.text, data.language, tuple(data.ignore), data.check_names)
    return CheckOut.of(await check_text.execute(command))


@blueprint.post("/v1/jobs")
@answers(
    headers=(IDEMPOTENCY_KEY,),
    links={
        "GetJob": {
            "operationId": "get_get_job",
            "parameters": {"job_id": "$response.body#/job_id"},
        },
        "Corrections": {
            "operationId": "get_corrections",
            "parameters": {"job_id": "$response.body#/job_id"},
        },
    },
    link_status=202,
)
@validate_request(JobIn)
@validate_response(JobOut, 202)
@inject
async def submit_job(data: JobIn, ask: FromDishka[RequestSpellcheck]) -> tuple[JobOut, int]:
    key = request.headers.get(inbox.IDEMPOTENCY_HEADER)
    command = RequestSpellcheckCommand(
        job_request(data), None if key is None else inbox.require_key(key)
    )
    return JobOut.model_validate(await ask.execute(command)), 202


@blueprint.get("/v1/jobs/<uuid:job_id>")
@answers()
@validate_response(JobOut)
@inject
async def get_job(job_id: uuid.UUID, get: FromDishka[GetJob]) -> JobOut:
    return JobOut.model_validate(await get.execute(GetJobCommand(job_id)))


@blueprint.get("/v1/jobs/<uuid:job_id>/corrections")
@answers()
@validate_querystring(CorrectionQuery)
@validate_response(CorrectionPage)
@inject
async def corrections(
    job_id: uuid.UUID, query_args: CorrectionQuery, list_corrections: FromDishka[ListCorrections]
) -> CorrectionPage:
    command = ListCorrectionsCommand(job_id, query_args.limit, query_args.cursor)
    return CorrectionPage.model_validate(await list_corrections.execute(command))
