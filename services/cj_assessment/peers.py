"""content_service as cj_assessment calls it (from the run job): an essay's text by id.

What is worth trying again is the shared retry policy's call (``service_kit.retry``): a
retryable answer or a transport error is ContentUnavailable, and the job queue tries the
run again later with the same policy's backoff; any other refusal is ContentMissing.
"""

from __future__ import annotations

import httpx

from service_kit.retry import Verdict, classify
from services.cj_assessment.domain import clean_text
from services.cj_assessment.protocols import ContentMissing, ContentUnavailable


class HttpContentFetcher:
    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    async def fetch_text(self, content_id: str) -> str:
        path = f"/v1/content/{content_id}"
        try:
            response = await self._client.get(self._base + path)
        except httpx.HTTPError as exc:
            raise ContentUnavailable(f"{type(exc).__name__}: {exc}") from exc
        code = response.status_code
        if classify(response) is Verdict.RETRYABLE:
            raise ContentUnavailable(f"HTTP {code} from content_service")
        if code != 200:
            raise ContentMissing(f"content_service answered HTTP {code} for {content_id}")
        text = clean_text(response.content.decode("utf-8", errors="replace"))
        if not text.strip():
            raise ContentMissing(f"content {content_id} is empty")
        return text
