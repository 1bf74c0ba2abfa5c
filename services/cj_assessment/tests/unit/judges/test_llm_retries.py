"""The LLM judge under the platform's one retry policy (service_kit.retry), on an in-process
transport: which answers are tried again, and Retry-After bounded by the judge's settings."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from services.cj_assessment.judges.llm import LlmJudge, LlmSettings
from services.cj_assessment.protocols import JudgingFailed

GOOD = {"choices": [{"message": {"content": json.dumps({"winner": "B", "confidence": 0.6})}}]}


def judge_over(answers: list[httpx.Response], **settings: float) -> tuple[LlmJudge, list[int]]:
    seen: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(len(seen) + 1)
        return answers[min(len(seen), len(answers)) - 1]

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    values = {"max_attempts": 3, "backoff_base_seconds": 0.01, "backoff_max_seconds": 0.05}
    values.update(settings)
    llm = LlmSettings(base_url="http://llm.test/v1", model="m", **values)  # type: ignore[arg-type]
    return LlmJudge(client, llm), seen


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 503])
async def test_the_shared_retryable_statuses_are_tried_again(status):
    judge, seen = judge_over([httpx.Response(status), httpx.Response(200, json=GOOD)])
    verdict = await judge.judge(None, "one", "two")
    assert (verdict.winner, verdict.confidence, len(seen)) == ("b", 0.6, 2)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_other_refusals_fail_at_once(status):
    judge, seen = judge_over([httpx.Response(status, text="no")])
    with pytest.raises(JudgingFailed, match=f"HTTP {status} \\(not retried\\)"):
        await judge.judge(None, "one", "two")
    assert len(seen) == 1


async def test_retry_after_is_honoured_up_to_the_judges_maximum_backoff():
    busy = httpx.Response(429, headers={"Retry-After": "3600"})
    judge, seen = judge_over([busy, httpx.Response(200, json=GOOD)], backoff_max_seconds=0.2)
    started = time.monotonic()
    await judge.judge(None, "one", "two")
    waited = time.monotonic() - started
    assert len(seen) == 2 and 0.2 <= waited < 2.0


async def test_every_attempts_error_is_kept_when_they_run_out():
    judge, seen = judge_over([httpx.Response(502, text="bad gateway")], max_attempts=2)
    with pytest.raises(JudgingFailed) as failed:
        await judge.judge(None, "one", "two")
    assert len(seen) == 2
    message = str(failed.value)
    assert message.count("HTTP 502") == 2
    assert message.startswith("attempt 1: ") and "; attempt 2: " in message
