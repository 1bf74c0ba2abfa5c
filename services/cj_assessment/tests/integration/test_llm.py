"""The LLM judge over real HTTP against a fake OpenAI-compatible server: the client's
retries, and whole assessments judged by it on a real PostgreSQL, failures recorded."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from service_kit.testing.receiver import Receiver, serve_app, serving
from services.cj_assessment.judges.llm import LlmJudge, LlmSettings
from services.cj_assessment.protocols import JudgingFailed
from services.cj_assessment.tests.integration.fake_llm import FakeLlm
from services.cj_assessment.tests.integration.helpers import (
    essays,
    eventually,
    fast_settings,
    fetch,
    running_app,
)

SHORT = "A short essay."
LONG = "A much longer essay that says a great deal more about its subject than the other."


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def judge_for(client: httpx.AsyncClient, fake: FakeLlm, **overrides: Any) -> LlmJudge:
    values: dict[str, Any] = {
        "base_url": fake.url,
        "model": "fake-model",
        "api_key": "sk-test",
        "timeout_seconds": 2.0,
        "max_attempts": 3,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        **overrides,
    }
    return LlmJudge(client, LlmSettings(**values))


async def test_a_good_answer_is_a_verdict_and_the_request_is_what_the_api_expects(client):
    fake = FakeLlm()
    async with serve_app(fake.app(), fake.port):
        verdict = await judge_for(client, fake).judge("Judge the content.", SHORT, LONG)
    assert (verdict.winner, verdict.confidence) == ("b", 0.75)
    assert verdict.justification == "It develops its point further."
    (sent,) = fake.requests
    assert sent["model"] == "fake-model"
    assert sent["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert "Judge the content." in sent["messages"][1]["content"]
    assert fake.authorizations == ["Bearer sk-test"]


@pytest.mark.parametrize("trouble", ["429", "500", "malformed", "not_json", "slow"])
async def test_passing_trouble_is_retried(client, trouble):
    fake = FakeLlm(script=[trouble, trouble], slow_seconds=0.5)
    async with serve_app(fake.app(), fake.port):
        verdict = await judge_for(client, fake, timeout_seconds=0.2).judge(None, LONG, SHORT)
    assert verdict.winner == "a"
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("trouble", "said"),
    [("malformed", "malformed answer"), ("429", "HTTP 429"), ("slow", "timed out")],
)
async def test_lasting_trouble_fails_after_the_bounded_attempts(client, trouble, said):
    fake = FakeLlm(default=trouble, slow_seconds=0.5)
    async with serve_app(fake.app(), fake.port):
        with pytest.raises(JudgingFailed) as failed:
            await judge_for(client, fake, timeout_seconds=0.2).judge(None, LONG, SHORT)
    assert len(fake.requests) == 3
    assert str(failed.value).count(said) == 3
    assert "attempt 3" in str(failed.value)


async def test_a_refusal_is_not_retried(client):
    fake = FakeLlm(default="401")
    async with serve_app(fake.app(), fake.port):
        with pytest.raises(JudgingFailed, match="HTTP 401"):
            await judge_for(client, fake).judge(None, LONG, SHORT)
    assert len(fake.requests) == 1


async def test_nobody_listening_fails_after_the_attempts(client):
    fake = FakeLlm()  # never served
    with pytest.raises(JudgingFailed, match="attempt 3"):
        await judge_for(client, fake).judge(None, LONG, SHORT)


def llm_settings(database_url: str, fake: FakeLlm) -> Any:
    return fast_settings(
        database_url,
        llm_base_url=fake.url,
        llm_model="fake-model",
        llm_max_attempts=2,
        llm_backoff_base_seconds=0.01,
        llm_backoff_max_seconds=0.02,
        llm_timeout_seconds=2.0,
    )


async def comparisons(database_url: str, aid: str) -> list[Any]:
    return await fetch(
        database_url,
        "SELECT status::text AS status, judge_id, essay_a, essay_b, winner, confidence,"
        " justification, error"
        " FROM comparisons WHERE assessment_id = $1",
        uuid.UUID(aid),
    )


async def wait_finished(client: Any, aid: str) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        got = await (await client.get(f"/v1/assessments/{aid}")).get_json()
        return got if got["status"] in ("completed", "failed") else None

    return dict(await eventually(finished, 60))


async def test_an_llm_assessment_completes_and_keeps_its_failed_comparisons(database_url):
    # the first requests alternate two good answers and two in prose: with two attempts each,
    # some comparisons end failed (which ones depends on how the concurrent calls interleave)
    fake = FakeLlm(script=["good", "good", "malformed", "malformed"] * 3)
    async with (
        serve_app(fake.app(), fake.port),
        serving(Receiver()) as els,
        running_app(llm_settings(database_url, fake)) as app,
    ):
        client = app.test_client()
        body = {
            "essays": essays(6),
            "judge": "llm",
            "instructions": "Prefer the essay that says more.",
            "min_comparisons_per_essay": 2,
            "max_comparisons_per_essay": 4,
            "callback_url": f"{els.url}/cb",
        }
        aid = (await (await client.post("/v1/assessments", json=body)).get_json())["assessment_id"]
        final = await wait_finished(client, aid)
        await els.wait_for(1)
    assert final["status"] == "completed", final
    rows = await comparisons(database_url, aid)
    failed = [r for r in rows if r["status"] == "failed"]
    answered = [r for r in rows if r["status"] == "answered"]
    assert failed and answered
    assert all("malformed answer" in r["error"] and r["winner"] is None for r in failed)
    assert all(r["confidence"] == 0.75 and r["justification"] for r in answered)
    assert {r["judge_id"] for r in rows} == {"llm:fake-model"}
    assert final["comparisons"] == len(answered)
    assert final["failed_comparisons"] == len(failed)
    # the fake prefers the longer essay: first place lost no comparison, and e5, the longest,
    # lost none either (pairs are random, so e4 may lead if the two never met)
    losers = {r["essay_b"] if r["winner"] == "a" else r["essay_a"] for r in answered}
    assert final["ranking"][0]["essay_id"] not in losers and "e5" not in losers
    assert all(
        "Prefer the essay that says more." in r["messages"][1]["content"] for r in fake.requests
    )
    assert els.received[0].body["status"] == "completed"


async def test_an_llm_that_only_talks_nonsense_fails_the_assessment_visibly(database_url):
    fake = FakeLlm(default="malformed")
    async with (
        serve_app(fake.app(), fake.port),
        serving(Receiver()) as els,
        running_app(llm_settings(database_url, fake)) as app,
    ):
        client = app.test_client()
        body = {"essays": essays(6), "judge": "llm", "callback_url": f"{els.url}/cb"}
        aid = (await (await client.post("/v1/assessments", json=body)).get_json())["assessment_id"]
        final = await wait_finished(client, aid)
        await els.wait_for(1)
    assert final["status"] == "failed"
    assert "malformed answer" in final["failure_reason"]
    rows = await comparisons(database_url, aid)
    assert len(rows) >= 5 and {r["status"] for r in rows} == {"failed"}
    assert len(fake.requests) == 2 * len(rows)  # each comparison tried twice, none dropped
    (callback,) = els.received
    assert callback.body == {
        "status": "failed",
        "assessment_id": aid,
        "batch_id": None,
        "reason": final["failure_reason"],
    }


async def test_an_llm_that_always_picks_the_same_side_fails_instead_of_ranking(database_url):
    fake = FakeLlm(default="always_b")
    async with (
        serve_app(fake.app(), fake.port),
        serving(Receiver()) as els,
        running_app(llm_settings(database_url, fake)) as app,
    ):
        client = app.test_client()
        body = {
            "essays": essays(6),
            "judge": "llm",
            "min_comparisons_per_essay": 2,
            "max_comparisons_per_essay": 4,
            "callback_url": f"{els.url}/cb",
        }
        aid = (await (await client.post("/v1/assessments", json=body)).get_json())["assessment_id"]
        final = await wait_finished(client, aid)
        await els.wait_for(1)
    assert final["status"] == "failed", final
    rows = await comparisons(database_url, aid)
    answered = [r for r in rows if r["status"] == "answered"]
    assert len(answered) >= 8 and {r["winner"] for r in answered} == {"b"}
    assert re.fullmatch(
        r"the model chose the essay shown second in (\d+) of \1 comparisons: "
        r"its judgements carry no information",
        final["failure_reason"],
    ), final["failure_reason"]
    (callback,) = els.received
    assert callback.body["status"] == "failed" and "ranking" not in callback.body


async def test_the_platform_token_never_goes_to_the_llm(database_url):
    fake = FakeLlm()
    token = "internal-token-0123456789"
    settings = llm_settings(database_url, fake).model_copy(
        update={"internal_api_token": SecretStr(token)}
    )
    async with serve_app(fake.app(), fake.port), running_app(settings) as app:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        body = {"essays": essays(3), "judge": "llm", "min_comparisons_per_essay": 1}
        body["max_comparisons_per_essay"] = 2
        created = await client.post("/v1/assessments", json=body, headers=headers)
        assert created.status_code == 201, await created.get_data()
        aid = (await created.get_json())["assessment_id"]

        async def done() -> bool:
            got = await client.get(f"/v1/assessments/{aid}", headers=headers)
            return (await got.get_json())["status"] == "completed"

        await eventually(done, 60)
    assert fake.requests and set(fake.authorizations) == {None}
