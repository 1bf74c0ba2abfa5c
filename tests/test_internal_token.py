"""With INTERNAL_API_TOKEN set, a service answers nobody who lacks it: a request that names a
user in ``X-User-ID`` without the token is refused (401) before the user is looked at, so only
the api_gateway (which holds the token and sends the verified user) can act for a teacher."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

TOKEN = "internal-token-for-this-test-0123456789"
PUBLIC = {
    "batch_orchestrator": "/v1/batches",
    "essay_lifecycle": "/v1/batches/b1/essays",
    "file_service": "/v1/batches/b1/files",
    "cj_assessment": "/v1/assessments",
    "content_service": "/v1/documents",
    # spell_checker: the same service_kit check (create_service_app); its app loads the
    # dictionaries at start-up, too slow for this test
}


def app_of(name: str) -> Any:
    config = importlib.import_module(f"services.{name}.config")
    app = importlib.import_module(f"services.{name}.app")
    settings = config.Settings(
        repository="memory", internal_api_token=TOKEN, log_level="WARNING", job_concurrency=0
    )
    return app.create_app(settings)


@pytest.mark.parametrize("name", sorted(PUBLIC))
async def test_x_user_id_without_the_token_is_refused(name: str) -> None:
    app = app_of(name)
    async with app.test_app():
        client = app.test_client()
        spoofed = await client.get(PUBLIC[name], headers={"X-User-ID": "someone"})
        assert spoofed.status_code == 401
        assert spoofed.headers["Content-Type"] == "application/problem+json"
        wrong = await client.get(
            PUBLIC[name], headers={"X-User-ID": "someone", "Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401
        trusted = await client.get(
            PUBLIC[name], headers={"X-User-ID": "someone", "Authorization": f"Bearer {TOKEN}"}
        )
        assert trusted.status_code != 401
