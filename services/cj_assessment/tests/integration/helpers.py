"""Shared by cj_assessment's integration tests: fast settings, a running app, polling, SQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from quart import Quart

from service_kit.testing import apps
from service_kit.testing.apps import fetch
from services.cj_assessment.app import create_app
from services.cj_assessment.config import Settings

__all__ = ["FAST_ENV", "PROBLEM", "essays", "eventually", "fast_settings", "fetch", "running_app"]

PROBLEM = "application/problem+json"

# the same fast loops, as the environment of a cj_assessment process
FAST_ENV = {f"CJ_ASSESSMENT_{name.upper()}": str(value) for name, value in apps.FAST_LOOPS.items()}


def fast_settings(database_url: str, **overrides: Any) -> Settings:
    return apps.fast_settings(Settings, database_url, **overrides)


def running_app(settings: Settings) -> AbstractAsyncContextManager[Quart]:
    """The app with its job workers and outbox relay, started and stopped when quiet (see
    ``service_kit.testing.apps.running_app``); an assessment's last jobs may take a while."""
    return apps.running_app(create_app(settings), settings, quiet_timeout=20.0)


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float = 30.0, interval: float = 0.05
) -> Any:
    """``service_kit.testing.apps.eventually`` with a longer default: runs take seconds."""
    return await apps.eventually(check, timeout, interval)


def essays(n: int, prefix: str = "e") -> list[dict[str, str]]:
    """Essays of growing length and vocabulary, so judges have something to tell apart."""
    words = "rivers carry stories of towns and people who lived along their banks for ages"
    vocabulary = words.split() + [f"word{k}" for k in range(200)]
    found = []
    for i in range(n):
        sentences = [
            " ".join(
                vocabulary[(s * 7 + k) % min(12 + 4 * i, len(vocabulary))] for k in range(9)
            ).capitalize()
            + "."
            for s in range(3 + i % 30)
        ]
        found.append({"essay_id": f"{prefix}{i}", "text": " ".join(sentences)})
    return found
