"""Hand-written fakes of spell_checker's peers, honouring the ports' contracts."""

from __future__ import annotations

import hashlib
from typing import Any

from services.spell_checker.domain import ContentMissing, SpellcheckJob


class FakeContent:
    """content_service: texts by id, documents by Idempotency-Key; can fail on purpose."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.documents: dict[str, dict[str, Any]] = {}
        self.fetches = 0
        self.fail_fetch: Exception | None = None
        self.fail_store: Exception | None = None

    async def fetch_text(self, content_id: str) -> str:
        self.fetches += 1
        if self.fail_fetch is not None:
            raise self.fail_fetch
        if content_id not in self.texts:
            raise ContentMissing(f"content {content_id}")
        return self.texts[content_id]

    async def store_corrected_text(
        self, job: SpellcheckJob, text: str, idempotency_key: str
    ) -> str:
        if self.fail_store is not None:
            raise self.fail_store
        content_id = hashlib.sha256(text.encode()).hexdigest()
        self.documents.setdefault(idempotency_key, {"content_id": content_id, "text": text})
        return str(self.documents[idempotency_key]["content_id"])
