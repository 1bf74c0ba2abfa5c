"""Adapters for the services file_service calls synchronously: content_service (from the
job) and the orchestrator's batch gate (from upload, replace and delete). Both sides of
each message are the shared contract models; which answers are worth another try is the
platform's one retry policy (the job queue schedules the next try)."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from contracts.content import BlobOut, DocumentIn, DocumentKind, DocumentOut
from contracts.files import BatchGateOut
from service_kit.errors import Conflict, NotFound, PeerUnavailable
from service_kit.retry import Verdict, classify
from services.file_service.protocols import ContentRefused, ContentUnavailable

RETRY_AFTER_SECONDS = 5


class HttpContentStore:
    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    async def _post(self, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.post(self._base + path, **kwargs)
        except httpx.HTTPError as exc:
            raise ContentUnavailable(f"{type(exc).__name__}: {exc}") from exc
        match classify(response):
            case Verdict.RETRYABLE:
                raise ContentUnavailable(f"HTTP {response.status_code} from {path}")
            case Verdict.PERMANENT:
                raise ContentRefused(
                    f"HTTP {response.status_code} from {path}: {response.text[:300]}"
                )
        return response

    async def store_blob(self, data: bytes, content_type: str) -> str:
        response = await self._post(
            "/v1/content", content=data, headers={"Content-Type": content_type}
        )
        return BlobOut.model_validate_json(response.content).content_id

    async def create_document(
        self,
        *,
        kind: DocumentKind,
        batch_id: str,
        filename: str,
        metadata: dict[str, Any],
        idempotency_key: str,
        content_id: str | None = None,
        text: str | None = None,
    ) -> str:
        document = DocumentIn(
            kind=kind,
            batch_id=batch_id,
            filename=filename[:512],
            metadata=metadata,
            **({"content_id": content_id} if content_id is not None else {"text": text}),
        )
        response = await self._post(
            "/v1/documents",
            json=document.model_dump(mode="json", exclude_unset=True),
            headers={"Idempotency-Key": idempotency_key},
        )
        return DocumentOut.model_validate_json(response.content).content_id


class OpenGate:
    """No orchestrator configured: every batch takes files."""

    async def ensure_open(self, batch_id: str) -> None:
        return None


class OrchestratorGate:
    """Asks batch_orchestrator whether the batch's pipeline has started.

    Contract: ``GET /internal/v1/batches/{id}`` answers 200 with a ``BatchGateOut``
    (404 for an unknown batch). Unreachable, or an answer we cannot read, means 503 with
    Retry-After, never a silent accept.
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
        try:
            answer = BatchGateOut.model_validate_json(response.content)
        except ValidationError as exc:
            raise PeerUnavailable(
                "batch_orchestrator's answer is not a batch gate answer",
                retry_after=RETRY_AFTER_SECONDS,
            ) from exc
        if answer.pipeline_started:
            raise Conflict(f"the pipeline of batch {batch_id} has started; its files are final")
