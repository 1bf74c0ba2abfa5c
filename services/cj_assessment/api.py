"""cj_assessment HTTP API: parse, call one use case, shape the answer."""

from __future__ import annotations

import uuid

from dishka.integrations.base import FromDishka
from quart import Blueprint, Response, request
from quart_dishka import inject
from quart_schema import validate_querystring, validate_request, validate_response

from service_kit.messaging import inbox
from service_kit.openapi import IDEMPOTENCY_KEY, answers, model_content
from services.cj_assessment.schemas import (
    AssessmentIn,
    AssessmentOut,
    AssessmentPage,
    JudgementIn,
    JudgementOut,
    ListQuery,
    NextPairQuery,
    PairOut,
    RankingPage,
    RankingQuery,
    SummaryOut,
    to_request,
)
from services.cj_assessment.use_cases import (
    CreateAssessment,
    CreateAssessmentCommand,
    ExcludeJudge,
    ExcludeJudgeCommand,
    ExportRankingCsv,
    ExportRankingCsvCommand,
    GetAssessment,
    GetAssessmentCommand,
    HandOutPair,
    HandOutPairCommand,
    IncludeJudge,
    IncludeJudgeCommand,
    ListAssessments,
    ListAssessmentsCommand,
    ListRanking,
    ListRankingCommand,
    NoPair,
    RecordJudgement,
    RecordJudgementCommand,
)
from services.cj_assessment.use_cases.human_judging import RETRY_SECONDS

blueprint = Blueprint("assessments", __name__)


def _json(body: str, status: int) -> Response:
    return Response(body, status=status, content_type="application/json")


@blueprint.post("/v1/assessments")
@answers(
    headers=(IDEMPOTENCY_KEY,),
    response_headers={201: {"Location": "the new assessment"}},
    links={
        "GetAssessment": {
            "operationId": "get_get_assessment",
            "parameters": {"assessment_id": "$response.body#/assessment_id"},
        },
        "NextPair": {
            "operationId": "get_next_pair",
            "parameters": {"assessment_id": "$response.body#/assessment_id"},
        },
    },
    link_status=201,
)
@validate_request(AssessmentIn)
@validate_response(AssessmentOut, 201)
@inject
async def create_assessment(
    data: AssessmentIn, create: FromDishka[CreateAssessment]
) -> tuple[AssessmentOut, int, dict[str, str]]:
    header = request.headers.get(inbox.IDEMPOTENCY_HEADER)
    key = None if header is None else inbox.require_key(header)
    created = await create.execute(CreateAssessmentCommand(to_request(data), key))
    location = f"/v1/assessments/{created.view.assessment.id}"
    return AssessmentOut.of_view(created.view), 201, {"Location": location}


@blueprint.get("/v1/assessments/<uuid:assessment_id>")
@answers()
@validate_response(AssessmentOut)
@inject
async def get_assessment(assessment_id: uuid.UUID, get: FromDishka[GetAssessment]) -> AssessmentOut:
    return AssessmentOut.of_view(await get.execute(GetAssessmentCommand(assessment_id)))


@blueprint.get("/v1/assessments/<uuid:assessment_id>/ranking")
@answers(
    success={
        200: {
            "description": "a page of the ranking, or with ?format=csv all of it as CSV",
            "content": {
                **model_content(RankingPage),
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
@validate_querystring(RankingQuery)
@inject
async def ranking(
    assessment_id: uuid.UUID,
    query_args: RankingQuery,
    list_: FromDishka[ListRanking],
    export: FromDishka[ExportRankingCsv],
) -> RankingPage | Response:
    """The ranking a page at a time (``limit``, ``cursor``), or with ``format=csv`` all of it
    as one CSV file streamed page by page."""
    if query_args.format == "csv":
        csv = await export.execute(ExportRankingCsvCommand(assessment_id))
        return Response(
            csv.chunks,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{csv.filename}"'},
        )
    found = await list_.execute(
        ListRankingCommand(assessment_id, query_args.limit, query_args.cursor)
    )
    return RankingPage.of_result(found)


@blueprint.get("/v1/assessments")
@answers()
@validate_querystring(ListQuery)
@validate_response(AssessmentPage)
@inject
async def list_assessments(
    query_args: ListQuery, list_: FromDishka[ListAssessments]
) -> AssessmentPage:
    found = await list_.execute(
        ListAssessmentsCommand(query_args.batch_id, query_args.limit, query_args.cursor)
    )
    items = [SummaryOut.model_validate(a) for a in found.items]
    return AssessmentPage(items=items, next_cursor=found.next_cursor)


@blueprint.get("/v1/assessments/<uuid:assessment_id>/next-pair")
@answers(
    409,
    success={
        200: {
            "description": "a pair for this judge",
            "content": model_content(PairOut),
        },
        204: {"description": "no pair now (Retry-After) or ever (finished)"},
    },
    response_headers={204: {"Retry-After": "seconds until pairs may be free again"}},
)
@validate_querystring(NextPairQuery)
@inject
async def next_pair(
    assessment_id: uuid.UUID, query_args: NextPairQuery, hand_out: FromDishka[HandOutPair]
) -> Response:
    found = await hand_out.execute(HandOutPairCommand(assessment_id, query_args.judge_id))
    if isinstance(found, NoPair):
        # finished: no more judgements; otherwise the open pairs are with other judges now
        headers = {} if found.finished else {"Retry-After": str(RETRY_SECONDS)}
        return Response(b"", status=204, headers=headers)
    return _json(PairOut.model_validate(found).model_dump_json(), 200)


@blueprint.post("/v1/assessments/<uuid:assessment_id>/judgements")
@answers(
    409,
    success={
        200: {
            "description": "this verdict was recorded already",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/JudgementOut"}}
            },
        },
        201: {
            "description": "recorded",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/JudgementOut"}}
            },
        },
    },
)
@validate_request(JudgementIn)
@inject
async def record_judgement(
    assessment_id: uuid.UUID, data: JudgementIn, record: FromDishka[RecordJudgement]
) -> Response:
    recorded = await record.execute(
        RecordJudgementCommand(assessment_id, data.pair_id, data.judge_id, data.winner)
    )
    body = JudgementOut.model_validate(recorded.comparison).model_dump_json()
    return _json(body, 201 if recorded.created else 200)


@blueprint.post("/v1/assessments/<uuid:assessment_id>/judges/<string:judge_id>/exclude")
@answers(409)
@validate_response(AssessmentOut)
@inject
async def exclude_judge(
    assessment_id: uuid.UUID, judge_id: str, exclude: FromDishka[ExcludeJudge]
) -> AssessmentOut:
    view = await exclude.execute(ExcludeJudgeCommand(assessment_id, judge_id))
    return AssessmentOut.of_view(view)


@blueprint.delete("/v1/assessments/<uuid:assessment_id>/judges/<string:judge_id>/exclude")
@answers(409)
@validate_response(AssessmentOut)
@inject
async def include_judge(
    assessment_id: uuid.UUID, judge_id: str, include: FromDishka[IncludeJudge]
) -> AssessmentOut:
    view = await include.execute(IncludeJudgeCommand(assessment_id, judge_id))
    return AssessmentOut.of_view(view)
