"""The peer adapters over a stand-in transport: the contract answers, what the retry policy
tries again, and what reads as no answer."""

import httpx
import pytest

from service_kit.retry import RetryPolicy
from services.batch_orchestrator.domain import Intake
from services.batch_orchestrator.peers import NO_ESSAYS_YET, HttpEssayCounts, HttpFileIntake

QUICK = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0, max_retry_after=0.0)
SEAL = {"batch_id": "b1", "sealed": True, "files": 4, "processing": 0, "ready": 3, "rejected": 1}
SUMMARY = {
    "batch_id": "b1",
    "total": 4,
    "expected_essay_count": None,
    "by_status": {"ready": 3, "content_rejected": 1},
    "terminal": 1,
    "completion_percent": 25.0,
    "phases": [],
}


def client(*answers):
    """A client whose requests get ``answers`` in turn (a response's args or an exception)."""
    seen: list[httpx.Request] = []
    replies = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        status, body = reply
        return httpx.Response(status, json=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle)), seen


async def test_the_seal_is_a_bodyless_post_and_its_answer_is_intake_out():
    http, seen = client((200, SEAL))
    intake = await HttpFileIntake(http, "http://files/", 1.0, QUICK).seal("b1")
    assert intake == Intake(sealed=True, files=4, processing=0, ready=3, rejected=1)
    assert [(r.method, str(r.url), r.content) for r in seen] == [
        ("POST", "http://files/internal/v1/batches/b1/seal", b"")
    ]


async def test_what_the_policy_retries_is_tried_again_and_a_refusal_is_not():
    http, seen = client((503, {}), httpx.ConnectError("refused"), (200, SEAL))
    assert (await HttpFileIntake(http, "http://files", 1.0, QUICK).seal("b1")) is not None
    assert len(seen) == 3
    http, seen = client((400, {}), (200, SEAL))
    assert (await HttpFileIntake(http, "http://files", 1.0, QUICK).seal("b1")) is None
    assert len(seen) == 1
    http, seen = client((503, {}), (503, {}), (503, {}))
    assert (await HttpFileIntake(http, "http://files", 1.0, QUICK).seal("b1")) is None
    assert len(seen) == 3


async def test_a_timeout_is_not_tried_again():
    http, seen = client(httpx.ReadTimeout("slow"), (200, SUMMARY))
    assert (await HttpEssayCounts(http, "http://els", 1.0, QUICK).summary("b1")) is None
    assert len(seen) == 1


@pytest.mark.parametrize(
    "answer",
    [
        {**SEAL, "files": "many"},
        {k: v for k, v in SEAL.items() if k != "rejected"},
        ["not", "an", "object"],
    ],
)
async def test_an_answer_that_breaks_the_contract_is_no_answer(answer):
    http, _ = client((200, answer))
    assert (await HttpFileIntake(http, "http://files", 1.0, QUICK).seal("b1")) is None
    http, _ = client((200, {**SUMMARY, "by_status": "ready"}))
    assert (await HttpEssayCounts(http, "http://els", 1.0, QUICK).summary("b1")) is None


async def test_the_summary_reads_summary_out_and_a_404_is_no_essay_yet():
    http, seen = client((200, SUMMARY), (404, {"title": "Not found"}))
    counts = HttpEssayCounts(http, "http://els", 1.0, QUICK)
    summary = await counts.summary("b1")
    assert summary is not None
    assert (summary.ready, summary.rejected, summary.shown) == (3, 1, SUMMARY)
    assert str(seen[0].url) == "http://els/v1/batches/b1/summary"
    none_yet = await counts.summary("b1")
    assert none_yet is NO_ESSAYS_YET
    assert none_yet.shown == {"total": 0, "by_status": {}}
