"""content_service, as the spellcheck job calls it: fetch the essay's text, store the
corrected text as a ``corrected_text`` document (``DocumentIn``; its answer ``DocumentOut``).

What is worth trying again is the platform's one retry policy (``service_kit.retry``): such
trouble is ContentUnavailable, and the job queue tries the run again later."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from contracts.content import DocumentIn, DocumentKind, DocumentOut
from service_kit.retry import Verdict, classify
from services.spell_checker.domain import (
    ContentMissing,
    ContentRefused,
    ContentUnavailable,
    SpellcheckJob,
)


def _trouble(response: httpx.Response, what: str) -> Exception | None:
    verdict = classify(response)
    if verdict is Verdict.OK:
        return None
    status = response.status_code
    if verdict is Verdict.RETRYABLE:
        return ContentUnavailable(f"HTTP {status} from {what}")
    if status == 404:
        return ContentMissing(f"content_service has no {what}")
    return ContentRefused(f"HTTP {status} from {what}: {response.text[:300]}")


def corrected_text_document(job: SpellcheckJob, text: str) -> DocumentIn:
    """The corrected text of the job's essay, as content_service keeps it."""
    return DocumentIn(
        kind=DocumentKind.CORRECTED_TEXT,
        text=text,
        batch_id=job.batch_id,
        essay_id=job.essay_id,
        metadata={
            "spellcheck_job_id": str(job.id),
            "source_content_id": job.content_id,
            "language": job.language,
        },
    )


class HttpContentStore:
    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    async def _send(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, self._base + path, **kwargs)
        except httpx.HTTPError as exc:
            raise ContentUnavailable(f"{type(exc).__name__}: {exc}") from exc
        trouble = _trouble(response, what)
        if trouble is not None:
            raise trouble
        return response

    async def fetch_text(self, content_id: str) -> str:
        response = await self._send("GET", f"/v1/content/{content_id}", f"content {content_id}")
        try:
            return response.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContentRefused(f"content {content_id} is not UTF-8 text") from exc

    async def store_corrected_text(
        self, job: SpellcheckJob, text: str, idempotency_key: str
    ) -> str:
        try:
            document = corrected_text_document(job, text)
        except ValidationError as exc:  # text content_service would refuse (a NUL, say)
            raise ContentRefused(f"the corrected text cannot be a document: {exc}") from exc
        response = await self._send(
            "POST",
            "/v1/documents",
            "the corrected-text document",
            json=document.model_dump(mode="json", exclude_unset=True),
            headers={"Idempotency-Key": idempotency_key},
        )
        try:
            return DocumentOut.model_validate(response.json()).content_id
        except (ValueError, ValidationError) as exc:
            raise ContentUnavailable(f"unreadable answer from /v1/documents: {exc!r}") from exc
