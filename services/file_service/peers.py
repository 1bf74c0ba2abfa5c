"""Adapters for the services file_service calls synchronously: content_service (from the
job) and the orchestrator's batch gate (from the API)."""

from __future__ import annotations

from typing import Any

import httpx

from service_kit.errors import Conflict, NotFound, PeerUnavailable
from services.file_service.protocols import ContentRefused, ContentUnavailable

RETRY_AFTER_SECONDS = 5


class HttpContentStore:
    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    async def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client.post(self._base + path, **kwargs)
        except httpx.HTTPError as exc:
            raise ContentUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code in (408, 409, 429):
            raise ContentUnavailable(f"HTTP {response.status_code} from {path}")
        if response.status_code >= 400:
            raise ContentRefused(f"HTTP {response.status_code} from {path}: {response.text[:300]}")
        return dict(response.json())

    async def store_blob(self, data: bytes, content_type: str) -> str:
        body = await self._post("/v1/content", content=data, headers={"Content-Type": content_type})
        return str(body["content_id"])

    async def create_document(
        self,
        *,
        kind: str,
        batch_id: str,
        filename: str,
        metadata: dict[str, Any],
        idempotency_key: str,
        content_id: str | None = None,
        text: str | None = None,
    ) -> str:
        payload: dict[str, Any] = {
            "kind": kind,
            "batch_id": batch_id,
            "filename": filename[:512],
            "metadata": metadata,
        }
        payload["content_id" if content_id is not None else "text"] = (
            content_id if content_id is not None else text
        )
        body = await self._post(
            "/v1/documents", json=payload, headers={"Idempotency-Key": idempotency_key}
        )
        return str(body["content_id"])


class OpenGate:
    """No orchestrator configured: every batch takes files."""

    async def ensure_open(self, batch_id: str) -> None:
        return None


class OrchestratorGate:
    """Asks batch_orchestrator whether the batch's pipeline has started.

    Contract: ``GET /internal/v1/batches/{id}`` answers 200 with ``{"pipeline_started": bool}``
    (404 for an unknown batch). Unreachable means 503 with Retry-After, never a silent accept.
    """

    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    async def ensure_open(self, batch_id: str) -> None:
        try:
            response = await self._client.get(f"{self._base}/internal/v1/batches/{batch_id}")
        except httpx.HTTPError as exc:
            raise PeerUnavailable(
                f"batch_orchestrator cannot be reached ({type(exc).__name__})",
                retry_after=RETRY_AFTER_SECONDS,
            ) from exc
        if response.status_code == 404:
            raise NotFound(f"batch_orchestrator knows no batch {batch_id}")
        if response.status_code != 200:
            raise PeerUnavailable(
                f"batch_orchestrator answered {response.status_code}",
                retry_after=RETRY_AFTER_SECONDS,
            )
        if response.json().get("pipeline_started"):
            raise Conflict(f"the pipeline of batch {batch_id} has started; its files are final")
