"""Forwarding one public request to its service, after the ownership check."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Any

from service_kit.errors import DomainError, InvalidInput, NotFound
from services.api_gateway import metrics_edge
from services.api_gateway.domain import Forbidden, Principal
from services.api_gateway.forwarding import (
    MAX_BATCH_ID,
    JudgeRewrite,
    Owned,
    Route,
)
from services.api_gateway.ownership import OwnershipResolver
from services.api_gateway.protocols_edge import Upstream, UpstreamAnswer, UpstreamCall

NOUNS = {
    Owned.BATCH: "batch",
    Owned.QUERY_BATCH: "batch",
    Owned.FILE: "file",
    Owned.ESSAY: "essay",
    Owned.ASSESSMENT: "assessment",
    Owned.DOCUMENT: "document",
    Owned.JOB: "job",
}
JUDGE_ONLY = "a judge session can only judge its assessment"


class BadRequest(DomainError):
    status = 400
    title = "Invalid request"


def not_found(kind: Owned, resource_id: str) -> NotFound:
    """The one answer for a missing id and for someone else's: nothing tells them apart."""
    metrics_edge.OWNERSHIP_REFUSED.labels(kind.value).inc()
    return NotFound(f"no {NOUNS[kind]} {resource_id}")


@dataclass(frozen=True, slots=True)
class ForwardRequestCommand:
    principal: Principal
    route: Route
    params: dict[str, Any]
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes | AsyncIterable[bytes] | None = None


class ForwardRequest:
    """Check that the principal may act on the resource the route names, then send the request
    on with the verified user id; ``judge_id`` on the judging routes is always the principal."""

    def __init__(self, ownership: OwnershipResolver, upstream: Upstream) -> None:
        self._ownership = ownership
        self._upstream = upstream

    async def execute(self, command: ForwardRequestCommand) -> UpstreamAnswer:
        route, principal = command.route, command.principal
        query = [(k, v) for k, v in command.query if k not in route.drop_query]
        await self._authorize(principal, route, command.params, query)
        body = command.body
        if route.judge is JudgeRewrite.QUERY:
            query = [(k, v) for k, v in query if k != "judge_id"] + [
                ("judge_id", str(principal.id))
            ]
        elif route.judge is JudgeRewrite.BODY:
            body = _with_judge(body, principal.id)
        answer = await self._upstream.open(
            UpstreamCall(
                service=route.service,
                method=route.method,
                path=route.upstream_path(command.params),
                query=query,
                headers=command.headers,
                user_id=str(principal.id),
                body=body,
            )
        )
        if route.records_owner and answer.status == 201:
            await self._record_owner(answer, principal.id)
        return answer

    async def _authorize(
        self,
        principal: Principal,
        route: Route,
        params: dict[str, Any],
        query: list[tuple[str, str]],
    ) -> None:
        if principal.kind == "judge" and not route.judge_may:
            raise Forbidden(JUDGE_ONLY)
        if route.owned is Owned.NONE:
            return
        if route.owned is Owned.BATCH:
            assert route.param is not None
            resource_id = batch_id = str(params[route.param])
        elif route.owned is Owned.QUERY_BATCH:
            given = [v for k, v in query if k == "batch_id"]
            if len(given) != 1 or not given[0]:
                raise InvalidInput("name one batch: ?batch_id=", field="batch_id")
            resource_id = batch_id = given[0]
        else:
            assert route.param is not None
            resource_id = str(params[route.param])
            found = await self._ownership.batch_of(route.owned, resource_id)
            if found is None:
                raise not_found(route.owned, resource_id)
            batch_id = found
        if len(batch_id) > MAX_BATCH_ID or not await self._allowed(principal, batch_id):
            raise not_found(route.owned, resource_id)

    async def _allowed(self, principal: Principal, batch_id: str) -> bool:
        if principal.kind == "judge":
            return principal.judge_batch_id == batch_id
        return await self._ownership.owns(principal.id, batch_id)

    async def _record_owner(self, answer: UpstreamAnswer, owner: uuid.UUID) -> None:
        try:
            created = json.loads(await answer.read())
            batch_id = created["batch_id"]
        except (ValueError, KeyError, TypeError):
            return  # not a batch answer we understand: ownership is learnt on first use
        if isinstance(batch_id, str):
            self._ownership.record(batch_id, owner)


def _with_judge(body: bytes | AsyncIterable[bytes] | None, judge: uuid.UUID) -> bytes:
    if not isinstance(body, bytes | bytearray) or not body:
        raise BadRequest("send the judgement as a JSON object")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("the request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("send the judgement as a JSON object")
    data["judge_id"] = str(judge)
    return json.dumps(data).encode()
