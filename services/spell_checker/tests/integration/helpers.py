"""Shared by spell_checker's integration tests: settings, the running app, polling, SQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from quart import Quart

from service_kit.testing import apps
from service_kit.testing.apps import eventually, fetch
from services.spell_checker.app import create_app
from services.spell_checker.config import Settings
from services.spell_checker.spelling import checking
from services.spell_checker.tests import faults

__all__ = [
    "PROBLEM",
    "eventually",
    "fast_settings",
    "fetch",
    "job_body",
    "running_app",
    "store_text",
]

PROBLEM = "application/problem+json"


def fast_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings that make the relay and the workers react in tenths of a second."""
    return apps.fast_settings(Settings, database_url, **overrides)


@asynccontextmanager
async def running_app(settings: Settings, *, fail_first_runs: int = 0) -> AsyncIterator[Quart]:
    """The app with its workers and relay, started and stopped when quiet (see
    ``service_kit.testing.apps.running_app``), the dictionaries loaded first; with
    ``fail_first_runs``, the test app that fails that many first runs (tests/faults.py)."""
    if fail_first_runs:
        app = faults.create_app(settings, fail_first_runs=fail_first_runs)
    else:
        app = create_app(settings)
    await asyncio.to_thread(checking.preload)  # once per process; Quart's startup waits 6 s
    async with apps.running_app(app, settings) as running:
        yield running


def job_body(callback_base: str, content_id: str, **changes: Any) -> dict[str, Any]:
    """What essay_lifecycle posts for one essay (attempt 1)."""
    essay = str(uuid.uuid4())
    return {
        "essay_id": essay,
        "batch_id": f"batch-{uuid.uuid4().hex[:8]}",
        "content_id": content_id,
        "language": "en",
        "callback_url": f"{callback_base}/internal/v1/essays/{essay}/spellcheck-result?attempt=1",
        **changes,
    }


async def store_text(content_url: str, text: str) -> str:
    """Put an essay's text in the real content_service; its content id."""
    async with httpx.AsyncClient(base_url=content_url) as client:
        response = await client.post(
            "/v1/content",
            content=text.encode(),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        assert response.status_code in (200, 201), response.text
        return str(response.json()["content_id"])
