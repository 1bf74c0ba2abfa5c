"""essay_lifecycle, asked synchronously (with a short timeout) for a batch's essay counts."""

from __future__ import annotations

from typing import Any

import httpx


class HttpEssayCounts:
    def __init__(self, client: httpx.AsyncClient, base_url: str, timeout: float) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._timeout = timeout

    async def summary(self, batch_id: str) -> dict[str, Any] | None:
        try:
            response = await self._client.get(
                f"{self._base}/v1/batches/{batch_id}/summary", timeout=self._timeout
            )
        except httpx.HTTPError:
            return None
        if response.status_code == 404:
            return {"total": 0, "by_status": {}}  # registered, no essay announced yet
        if response.status_code != 200:
            return None
        return dict(response.json())
