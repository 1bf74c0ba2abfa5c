"""The inputs fuzzing found to make a 500, sent to the real apps on real databases: each is a
4xx problem+json now (issue 18's first part; the fuzzing itself is not in the suite yet)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from services.batch_orchestrator.app import create_app as batch_orchestrator
from services.batch_orchestrator.config import Settings as BatchOrchestratorSettings
from services.content_service.app import create_app as content_service
from services.content_service.config import Settings as ContentServiceSettings
from services.essay_lifecycle.app import create_app as essay_lifecycle
from services.essay_lifecycle.config import Settings as EssayLifecycleSettings

PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}
DOWN = "http://127.0.0.1:9"  # peers are down, as in the fuzzing run


def apps(name: str, url: str) -> Any:
    if name == "batch_orchestrator":
        return batch_orchestrator(
            BatchOrchestratorSettings(
                database_url=url, essay_lifecycle_url=DOWN, file_service_url=DOWN
            )
        )
    if name == "essay_lifecycle":
        return essay_lifecycle(
            EssayLifecycleSettings(database_url=url, spell_checker_url=DOWN, cj_assessment_url=DOWN)
        )
    return content_service(ContentServiceSettings(database_url=url))


def raw(body: dict[str, Any]) -> bytes:
    # json.dumps writes a lone surrogate as the escape "\ud800", as a fuzzer's client does
    return json.dumps(body).encode()


BATCH = {"name": "x", "language": "en"}
DOCUMENT = {"kind": "extracted_text", "text": "hello"}
CASES = [
    ("batch_orchestrator", "/v1/batches", b"\xff", 400),
    ("batch_orchestrator", "/v1/batches", raw({**BATCH, "name": "a\x00b"}), 422),
    ("batch_orchestrator", "/v1/batches", raw({**BATCH, "name": "\ud800"}), 422),
    (
        "batch_orchestrator",
        "/v1/batches",
        raw({**BATCH, "spellcheck": {"ignore": ["ok", "a\x00"]}}),
        422,
    ),
    ("essay_lifecycle", "/internal/v1/batches", b"\xff", 400),
    (
        "essay_lifecycle",
        "/internal/v1/batches",
        raw({"batch_id": "b1", "callback_url": "http://x", "expected_essay_count": 2**31}),
        422,
    ),
    (
        "essay_lifecycle",
        "/internal/v1/batches/b1/essays",
        raw({"file_id": "f1", "filename": "a.txt", "version": 2**31}),
        422,
    ),
    ("essay_lifecycle", "/internal/v1/batches/b1/phases/spellcheck", raw({"attempt": 2**31}), 422),
    # schemathesis' 500 on main before issue 18's second part: a failed spellcheck callback
    # for an essay nobody registered
    (
        "essay_lifecycle",
        "/internal/v1/essays/9f0408d3-adb8-4f56-a1f3-1c6f50268f9e/spellcheck-result",
        raw({"status": "failed"}),
        404,
    ),
    ("content_service", "/v1/documents", b"\xff", 400),
    ("content_service", "/v1/documents", raw({**DOCUMENT, "text": "a\x00b"}), 422),
    ("content_service", "/v1/documents", raw({**DOCUMENT, "filename": "\udc80.txt"}), 422),
    ("content_service", "/v1/documents", raw({**DOCUMENT, "batch_id": "\x00"}), 422),
    ("content_service", "/v1/documents", raw({**DOCUMENT, "metadata": {"k\x00": 1}}), 422),
    ("content_service", "/v1/documents", raw({**DOCUMENT, "metadata": {"k": "\ud800"}}), 422),
]


@pytest.mark.parametrize(("service", "path", "body", "status"), CASES)
async def test_bad_input_is_a_problem_not_a_500(
    make_migrated_database, service, path, body, status
):
    app = apps(service, await make_migrated_database(service))
    async with app.test_app():
        response = await app.test_client().post(
            path, data=body, headers={**JSON, "X-User-ID": "fuzzer"}
        )
    assert response.status_code == status, await response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM


async def test_an_attempt_past_int32_in_a_callback_query_is_refused(make_migrated_database):
    app = apps("essay_lifecycle", await make_migrated_database("essay_lifecycle"))
    async with app.test_app():
        response = await app.test_client().post(
            f"/internal/v1/essays/{uuid.uuid4()}/spellcheck-result?attempt={2**31}",
            json={"status": "succeeded"},
        )
    assert response.status_code in (400, 422)
    assert response.headers["Content-Type"] == PROBLEM
