"""Shared by file_service's integration tests: multipart bodies, polling, direct SQL."""

from __future__ import annotations

import io
import uuid
from contextlib import AbstractAsyncContextManager
from typing import Any

from quart import Quart
from werkzeug.datastructures import FileStorage

from service_kit.testing import apps
from service_kit.testing.apps import eventually, fetch
from services.file_service.app import create_app
from services.file_service.config import Settings

__all__ = [
    "PROBLEM",
    "eventually",
    "fast_settings",
    "fetch",
    "multipart",
    "new_batch",
    "running_app",
]

PROBLEM = "application/problem+json"


def fast_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings that make the relay and the workers react in tenths of a second."""
    return apps.fast_settings(Settings, database_url, **overrides)


def running_app(settings: Settings) -> AbstractAsyncContextManager[Quart]:
    """The app with its job workers and outbox relay, started and stopped when quiet (see
    ``service_kit.testing.apps.running_app`` for why)."""
    return apps.running_app(create_app(settings), settings)


def multipart(*files: tuple[str, bytes]) -> dict[str, FileStorage]:
    """Quart's test client sends a ``files=`` dict as multipart/form-data, one part a key."""
    return {
        f"file{i}": FileStorage(
            io.BytesIO(data), filename=name, content_type="application/octet-stream"
        )
        for i, (name, data) in enumerate(files)
    }


def new_batch() -> str:
    return f"batch-{uuid.uuid4().hex[:12]}"
