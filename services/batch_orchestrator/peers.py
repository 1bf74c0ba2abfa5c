"""Peers asked synchronously (with a short timeout): essay_lifecycle for a batch's essay
counts, file_service for the seal of its files."""

from __future__ import annotations

from typing import Any

import httpx

from services.batch_orchestrator.domain import Intake


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


class HttpFileIntake:
    """file_service's seal: ``POST /internal/v1/batches/{id}/seal``."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, timeout: float) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._timeout = timeout

    async def seal(self, batch_id: str) -> Intake | None:
        try:
            response = await self._client.post(
                f"{self._base}/internal/v1/batches/{batch_id}/seal", timeout=self._timeout
            )
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        try:
            body = response.json()
            return Intake(
                sealed=bool(body["sealed"]),
                files=int(body["files"]),
                processing=int(body["processing"]),
                ready=int(body["ready"]),
                rejected=int(body["rejected"]),
            )
        except (KeyError, TypeError, ValueError):
            return None  # not an answer we can trust: the start waits
