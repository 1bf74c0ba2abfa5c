"""The six services over HTTP: one keep-alive httpx client for the whole process.

Every call carries the internal token (``Authorization: Bearer INTERNAL_API_TOKEN``), the
verified user id (``X-User-ID``) and the correlation id; bodies stream both ways.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pydantic

from service_kit import correlation
from service_kit.errors import DomainError, PeerUnavailable
from services.api_gateway import metrics_edge
from services.api_gateway.config_edge import EdgeSettings
from services.api_gateway.forwarding import RESOLVERS, RESPONSE_HEADERS, Owned
from services.api_gateway.protocols_edge import UpstreamAnswer, UpstreamCall

USER_HEADER = "X-User-ID"
RETRY_SECONDS = 5


class BadGateway(DomainError):
    status = 502
    title = "Bad gateway"


class _BatchRef(pydantic.BaseModel):
    batch_id: str | None = None


class _BatchOwner(pydantic.BaseModel):
    owner: str


def make_upstream_client(
    settings: EdgeSettings,
    token: str | None,
    transport: httpx.AsyncBaseTransport | None = None,  # tests: the services faked
) -> httpx.AsyncClient:
    async def add_correlation(request: httpx.Request) -> None:
        cid = correlation.current()
        if cid and correlation.HEADER not in request.headers:
            request.headers[correlation.HEADER] = cid

    return httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=httpx.Timeout(
            settings.upstream_timeout_seconds, connect=settings.upstream_connect_seconds
        ),
        limits=httpx.Limits(
            max_connections=settings.upstream_max_connections,
            max_keepalive_connections=settings.upstream_keepalive_connections,
        ),
        event_hooks={"request": [add_correlation]},
        follow_redirects=False,
        transport=transport,
    )


class HttpUpstream:
    """Forwards calls (``Upstream``) and answers ownership questions (``ResourceDirectory``)."""

    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str]) -> None:
        self._client = client
        self._urls = urls

    async def open(self, call: UpstreamCall) -> UpstreamAnswer:
        headers = {**call.headers, USER_HEADER: call.user_id}
        request = self._client.build_request(
            call.method,
            self._urls[call.service] + call.path,
            params=tuple(call.query),
            headers=headers,
            content=call.body,
        )
        started = time.perf_counter()
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            metrics_edge.UPSTREAM_UNAVAILABLE.labels(call.service).inc()
            raise PeerUnavailable(
                f"{call.service} did not answer ({type(exc).__name__})",
                retry_after=RETRY_SECONDS,
            ) from exc

        metrics_edge.UPSTREAM_SECONDS.labels(call.service).observe(time.perf_counter() - started)
        metrics_edge.FORWARDED.labels(call.service, str(response.status_code)).inc()

        async def chunks() -> AsyncIterator[bytes]:
            try:
                if response.is_stream_consumed:  # a transport that answered with bytes
                    yield response.content
                    return
                async for chunk in response.aiter_raw():  # as sent: encoding and length kept
                    yield chunk
            finally:
                await response.aclose()

        kept = {k: v for k, v in response.headers.items() if k.lower() in RESPONSE_HEADERS}
        return UpstreamAnswer(response.status_code, kept, chunks, response.aclose)

    async def fetch_json(self, service: str, path: str) -> dict[str, Any] | None:
        try:
            response = await self._client.get(self._urls[service] + path)
        except httpx.HTTPError as exc:
            raise PeerUnavailable(
                f"{service} did not answer ({type(exc).__name__})", retry_after=RETRY_SECONDS
            ) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 500 or response.status_code in (408, 425, 429):
            raise PeerUnavailable(
                f"{service} answered {response.status_code}", retry_after=RETRY_SECONDS
            )
        if response.status_code != 200:
            # a 4xx for an id the gateway's own routing accepted: nothing of anyone's
            return None
        try:
            body = response.json()
        except ValueError as exc:
            raise BadGateway(f"{service} answered something other than JSON") from exc
        if not isinstance(body, dict):
            raise BadGateway(f"{service} answered something other than a JSON object")
        return body

    async def batch_of(self, kind: Owned, resource_id: str) -> str | None:
        service, template = RESOLVERS[kind]
        body = await self.fetch_json(service, template.format(id=quote(resource_id, safe="")))
        if body is None:
            return None
        try:
            return _BatchRef.model_validate(body).batch_id
        except pydantic.ValidationError as exc:
            raise BadGateway(f"{service}'s answer names no batch") from exc

    async def owner_of(self, batch_id: str) -> str | None:
        body = await self.fetch_json(
            "batch_orchestrator", "/v1/batches/" + quote(batch_id, safe="")
        )
        if body is None:
            return None
        try:
            return _BatchOwner.model_validate(body).owner
        except pydantic.ValidationError as exc:
            raise BadGateway("batch_orchestrator's answer names no owner") from exc
