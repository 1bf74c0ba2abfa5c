"""How a page use case reaches the six services: through the gateway's own forwarding
(``ForwardRequest``: the same ownership check, judge rules and verified user id as the public
API) and its rate limits, with the page's principal. Never around them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from typing import Any

from services.api_gateway.domain import Principal
from services.api_gateway.forwarding import ROUTES, Route
from services.api_gateway.use_cases.forwarding import ForwardRequest, ForwardRequestCommand
from services.api_gateway.use_cases.limits import AdmitRequest, AdmitRequestCommand, refusal

ROUTE_BY_KEY: dict[tuple[str, str], Route] = {(r.method, r.rule): r for r in ROUTES}


@dataclass(frozen=True, slots=True)
class Answer:
    """A service's answer as a page sees it: the status, the parsed JSON (or None) and the
    raw body (a CSV)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class Gateway:
    """One principal's calls to the services (``call("GET", "/v1/batches/<batch_id>",
    batch_id=...)``: the rule exactly as in ``forwarding.ROUTES``). A page counts once
    against each rate limit it touches (its first call of that kind), however many calls it
    makes to gather what it shows."""

    def __init__(
        self, forward: ForwardRequest, admit: AdmitRequest | None, principal: Principal
    ) -> None:
        self._forward = forward
        self._admit = admit
        self.principal = principal
        self._admitted: set[str] = set()

    async def call(
        self,
        method: str,
        rule: str,
        *,
        query: list[tuple[str, str]] | None = None,
        json_body: Any = None,
        body: bytes | AsyncIterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> Answer:
        route = ROUTE_BY_KEY[(method, rule)]
        if self._admit is not None and route.limit.value not in self._admitted:
            self._admitted.add(route.limit.value)
            admission = await self._admit.execute(
                AdmitRequestCommand(route.limit, str(self.principal.id))
            )
            if admission is not None and not admission.allowed:
                raise refusal(admission, route.limit)
        sent_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent_headers.setdefault("Content-Type", "application/json")
        answer = await self._forward.execute(
            ForwardRequestCommand(
                principal=self.principal,
                route=route,
                params=params,
                query=list(query or []),
                headers=sent_headers,
                body=body,
            )
        )
        data = await answer.read()
        return Answer(answer.status, data, dict(answer.headers))
