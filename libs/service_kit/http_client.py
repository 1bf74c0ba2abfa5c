"""httpx clients for calls between services: timeouts, correlation id, bearer token."""

from __future__ import annotations

import httpx

from service_kit import correlation


def make_http_client(
    *, timeout_seconds: float = 10.0, token: str | None = None, base_url: str = ""
) -> httpx.AsyncClient:
    async def add_context_headers(request: httpx.Request) -> None:
        cid = correlation.current()
        if cid and correlation.HEADER not in request.headers:
            request.headers[correlation.HEADER] = cid

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
        event_hooks={"request": [add_context_headers]},
    )
