"""The HTTP API on the in-memory repository: /v1/check's shape and limits, job requests,
problem+json for everything refused."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from quart import Quart

from service_kit.pagination import encode_cursor
from services.spell_checker.app import create_app
from services.spell_checker.config import Settings
from services.spell_checker.spelling import checking

PROBLEM = "application/problem+json"
TEXT = "Students often recieve feedback about thier speling. Vi bor i Göteborg."


@pytest_asyncio.fixture(scope="module")
async def app() -> AsyncIterator[Quart]:
    app = create_app(Settings(repository="memory", log_level="WARNING", max_text_chars=5000))
    # the dictionaries load once per process; loading them here keeps the app's startup
    # within Quart's test startup timeout (6 s) on a busy machine
    await asyncio.to_thread(checking.preload)
    async with app.test_app():
        yield app


async def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, await response.get_data()
    assert response.content_type == PROBLEM
    body = await response.get_json()
    assert body["status"] == status and body["title"]
    return dict(body)


async def test_check_answers_the_documented_shape(app):
    response = await app.test_client().post("/v1/check", json={"text": TEXT, "language": "en"})
    assert response.status_code == 200, await response.get_data()
    body = await response.get_json()
    assert set(body) == {
        "language",
        "corrected_text",
        "corrections",
        "word_count",
        "error_count",
        "errors_per_100_words",
        "unknown_words",
        "unknown_count",
        "corrected_count",
        "flagged_count",
    }
    assert (body["unknown_words"], body["unknown_count"]) == ([], 0)
    assert (body["corrected_count"], body["flagged_count"]) == (3, 0)
    assert body["corrected_text"].startswith(
        "Students often receive feedback about their spelling."
    )
    assert [(c["original"], c["suggestion"]) for c in body["corrections"]] == [
        ("recieve", "receive"),
        ("thier", "their"),
        ("speling", "spelling"),
    ]
    for correction in body["corrections"]:
        assert set(correction) == {
            "start",
            "end",
            "original",
            "suggestion",
            "candidates",
            "applied",
        }
        assert correction["applied"] is True
        assert TEXT[correction["start"] : correction["end"]] == correction["original"]
        assert correction["candidates"][0] == correction["suggestion"]
    assert body["error_count"] == 3
    assert body["word_count"] == 11
    assert body["errors_per_100_words"] == round(100 * 3 / 11, 2)


async def test_check_reports_unknown_words_without_candidates(app):
    text = "The zqxjvwpk report."
    response = await app.test_client().post("/v1/check", json={"text": text, "language": "en"})
    body = await response.get_json()
    assert body["unknown_words"] == [{"start": 4, "end": 12, "original": "zqxjvwpk"}]
    assert (body["unknown_count"], body["error_count"]) == (1, 0)
    assert body["corrected_text"] == text


async def test_check_honours_ignore_and_swedish(app):
    client = app.test_client()
    ignored = await client.post(
        "/v1/check", json={"text": TEXT, "language": "en", "ignore": ["Speling", "thier"]}
    )
    body = await ignored.get_json()
    assert [c["original"] for c in body["corrections"]] == ["recieve"]
    swedish = await client.post(
        "/v1/check", json={"text": "Jag gilar att läsa på kvälen.", "language": "sv"}
    )
    assert swedish.status_code == 200
    assert (await swedish.get_json())["corrected_text"] == "Jag gillar att läsa på kvällen."


async def test_a_text_over_the_limit_is_a_413_problem(app):
    response = await app.test_client().post(
        "/v1/check", json={"text": "ord " * 1251, "language": "sv"}
    )
    body = await problem(response, 413)
    assert "5004 characters" in body["detail"] and body["limit"] == 5000


async def test_a_body_over_the_size_limit_is_a_413_problem_too(app):
    response = await app.test_client().post(
        "/v1/check", json={"text": "a" * (3 * 1024 * 1024), "language": "en"}
    )
    # refused by the body limit before the text is read, not by the text-length check
    body = await problem(response, 413)
    assert body["title"] == "Request Entity Too Large"
    assert "limit" not in body


async def test_an_unknown_language_is_a_422_listing_the_supported_ones(app):
    response = await app.test_client().post("/v1/check", json={"text": "Hei", "language": "fi"})
    body = await problem(response, 422)
    assert body["supported"] == ["en", "sv"]
    assert "'fi'" in body["detail"] and "en, sv" in body["detail"]


async def test_malformed_check_requests_are_4xx_problems(app):
    client = app.test_client()
    missing = await problem(await client.post("/v1/check", json={"language": "en"}), 422)
    assert any(e["loc"] == ["text"] for e in missing["errors"])
    await problem(await client.post("/v1/check", json={"text": 3, "language": "en"}), 422)
    await problem(
        await client.post("/v1/check", json={"text": "x", "language": "en", "extra": 1}), 422
    )
    await problem(
        await client.post(
            "/v1/check", data="{not json", headers={"Content-Type": "application/json"}
        ),
        400,
    )


def job_body(**changes: Any) -> dict[str, Any]:
    essay = str(uuid.uuid4())
    return {
        "essay_id": essay,
        "batch_id": "batch-7",
        "content_id": "f" * 64,
        "language": "sv",
        "callback_url": f"http://els.test/internal/v1/essays/{essay}/spellcheck-result?attempt=1",
        **changes,
    }


async def test_a_job_request_is_accepted_once_and_can_be_read_back(app):
    client = app.test_client()
    body = job_body(ignore=["Vänern"], some_future_setting=True)
    first = await client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 202, await first.get_data()
    job = await first.get_json()
    assert job["status"] == "queued" and job["run"] == 1
    assert (job["essay_id"], job["batch_id"], job["language"]) == (
        body["essay_id"],
        "batch-7",
        "sv",
    )
    assert job["ignore"] == ["Vänern"] and job["check_names"] is False
    assert job["word_count"] is None and job["queued_at"] and job["started_at"] is None

    again = await client.post("/v1/jobs", json=body)  # no key: the unique pair decides
    assert again.status_code == 202
    assert (await again.get_json())["job_id"] == job["job_id"]

    read = await client.get(f"/v1/jobs/{job['job_id']}")
    assert read.status_code == 200 and (await read.get_json()) == job
    page = await client.get(f"/v1/jobs/{job['job_id']}/corrections")
    assert (await page.get_json()) == {"job_id": job["job_id"], "items": [], "next_cursor": None}


async def test_job_requests_and_reads_refused_as_problems(app):
    client = app.test_client()
    await problem(await client.post("/v1/jobs", json=job_body(callback_url="ftp://x")), 422)
    await problem(await client.post("/v1/jobs", json=job_body(essay_id="e" * 65)), 422)
    incomplete = job_body()
    del incomplete["content_id"]
    await problem(await client.post("/v1/jobs", json=incomplete), 422)
    await problem(
        await client.post("/v1/jobs", json=job_body(), headers={"Idempotency-Key": "k" * 300}),
        400,
    )
    unknown = uuid.uuid4()
    body = await problem(await client.get(f"/v1/jobs/{unknown}"), 404)
    assert str(unknown) in body["detail"]
    await problem(await client.get(f"/v1/jobs/{unknown}/corrections"), 404)
    created = await (await client.post("/v1/jobs", json=job_body())).get_json()
    corrections = f"/v1/jobs/{created['job_id']}/corrections"
    await problem(await client.get(corrections, query_string={"cursor": "nonsense"}), 422)
    await problem(await client.get(corrections, query_string={"limit": 0}), 422)


async def test_text_postgresql_cannot_store_is_a_422_naming_the_field(app):
    client = app.test_client()
    for field, value in [("batch_id", "b\x00"), ("callback_url", "http://els.test/\x00")]:
        body = await problem(await client.post("/v1/jobs", json=job_body(**{field: value})), 422)
        assert [e["loc"] for e in body["errors"]] == [[field]]
    ignored = await problem(
        await client.post("/v1/jobs", json=job_body(ignore=["ok", "a\x00"])), 422
    )
    assert [e["loc"] for e in ignored["errors"]] == [["ignore", 1]]
    # a lone surrogate, as JSON's escape: valid JSON, but no UTF-8 for PostgreSQL
    surrogate = json.dumps(job_body(ignore=["\ud800"])).encode()
    assert b'"\\ud800"' in surrogate
    headers = {"Content-Type": "application/json"}
    body = await problem(await client.post("/v1/jobs", data=surrogate, headers=headers), 422)
    assert [e["loc"] for e in body["errors"]] == [["ignore", 0]]


async def test_a_cursor_past_the_integer_column_is_a_422(app):
    created = await (await app.test_client().post("/v1/jobs", json=job_body())).get_json()
    response = await app.test_client().get(
        f"/v1/jobs/{created['job_id']}/corrections",
        query_string={"cursor": encode_cursor(2**31)},
    )
    await problem(response, 422)


async def test_a_body_that_is_not_utf8_is_a_400_problem(app):
    for path in ("/v1/check", "/v1/jobs"):
        response = await app.test_client().post(
            path, data=b"\xff", headers={"Content-Type": "application/json"}
        )
        body = await problem(response, 400)
        assert "UTF-8" in body["detail"]
