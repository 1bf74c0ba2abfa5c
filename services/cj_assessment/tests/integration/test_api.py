"""The HTTP API on a real PostgreSQL: creation, validation, idempotency, human judging,
leases handed on, and the callback through the outbox."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import pytest

from service_kit.testing.receiver import Receiver, serving
from services.cj_assessment.tests.integration.helpers import (
    PROBLEM,
    essays,
    eventually,
    fast_settings,
    fetch,
    running_app,
)


def human(n: int = 4, **overrides: Any) -> dict[str, Any]:
    return {
        "essays": essays(n),
        "judge": "human",
        "min_comparisons_per_essay": 2,
        "max_comparisons_per_essay": 3,
        **overrides,
    }


async def test_create_read_and_list(database_url):
    batch = f"batch-{uuid.uuid4().hex[:8]}"
    async with running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        created = await client.post("/v1/assessments", json=human(batch_id=batch))
        assert created.status_code == 201, await created.get_data()
        body = await created.get_json()
        aid = body["assessment_id"]
        assert created.headers["Location"] == f"/v1/assessments/{aid}"
        assert body["status"] == "running" and body["judge"] == "human"
        assert body["settings"] == {
            "min_comparisons_per_essay": 2,
            "max_comparisons_per_essay": 3,
            "target_reliability": 0.8,
            "grade_scale": None,
            "instructions": None,
        }
        assert (body["essays"], body["comparisons"], body["ranking"]) == (4, 0, [])
        assert body["exposure"] == {f"e{i}": 0 for i in range(4)}
        got = await (await client.get(f"/v1/assessments/{aid}")).get_json()
        assert got == body
        missing = await client.get(f"/v1/assessments/{uuid.uuid4()}")
        assert missing.status_code == 404 and missing.content_type == PROBLEM

        second = await (await client.post("/v1/assessments", json=human(batch_id=batch))).get_json()
        await client.post("/v1/assessments", json=human(batch_id="another"))
        page = await (
            await client.get("/v1/assessments", query_string={"batch_id": batch, "limit": 1})
        ).get_json()
        assert [i["assessment_id"] for i in page["items"]] == [aid]
        rest = await (
            await client.get(
                "/v1/assessments",
                query_string={"batch_id": batch, "limit": 1, "cursor": page["next_cursor"]},
            )
        ).get_json()
        assert [i["assessment_id"] for i in rest["items"]] == [second["assessment_id"]]
        assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"essays": essays(1)}, "at least 2"),
        ({"essays": [*essays(2), {"essay_id": "e0", "text": "x"}]}, "unique"),
        ({"essays": [*essays(2), {"essay_id": "x"}]}, "exactly one"),
        ({"essays": [*essays(2), {"essay_id": "x", "text": "t", "content_id": "c"}]}, "exactly"),
        (
            {"essays": essays(3), "min_comparisons_per_essay": 9, "max_comparisons_per_essay": 3},
            "must not exceed",
        ),
        ({"essays": essays(3), "judge": "oracle"}, None),
        ({"essays": essays(3), "target_reliability": 1.5}, None),
        ({"essays": essays(3), "surprise": True}, None),
        ({"essays": essays(3), "anchors": [{"grade": "A", "essay_id": "zz"}]}, "names no essay"),
        ({"essays": essays(3), "callback_url": "ftp://x"}, None),
    ],
)
async def test_bad_requests_are_422_problems(database_url, body, detail):
    async with running_app(fast_settings(database_url)) as app:
        response = await app.test_client().post("/v1/assessments", json=body)
    assert response.status_code == 422, await response.get_data()
    assert response.content_type == PROBLEM
    problem = await response.get_json()
    if detail:
        assert detail in problem["detail"]
    else:
        assert problem["errors"]


async def test_malformed_json_is_a_400_problem(database_url):
    async with running_app(fast_settings(database_url)) as app:
        response = await app.test_client().post(
            "/v1/assessments", data=b"{not json", headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400 and response.content_type == PROBLEM


async def test_the_same_idempotency_key_makes_one_assessment_even_concurrently(database_url):
    key = f"cj_assessment:batch-{uuid.uuid4().hex[:8]}:1"
    async with running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        answers = await asyncio.gather(
            *(
                client.post("/v1/assessments", json=human(), headers={"Idempotency-Key": key})
                for _ in range(6)
            )
        )
        again = await client.post(
            "/v1/assessments", json=human(6), headers={"Idempotency-Key": key}
        )
        other = await client.post(
            "/v1/assessments", json=human(), headers={"Idempotency-Key": key + "-other"}
        )
        empty_key = await client.post(
            "/v1/assessments", json=human(), headers={"Idempotency-Key": ""}
        )
    assert {a.status_code for a in answers} == {201} and again.status_code == 201
    ids = {(await a.get_json())["assessment_id"] for a in [*answers, again]}
    assert len(ids) == 1
    assert (await again.get_json())["essays"] == 4  # the first request's, not the repeat's
    assert (await other.get_json())["assessment_id"] not in ids
    assert empty_key.status_code == 400 and empty_key.content_type == PROBLEM
    rows = await fetch(
        database_url,
        "SELECT count(*) AS n FROM processed_requests WHERE idempotency_key = $1",
        key,
    )
    assert rows[0]["n"] == 1
    assessments = await fetch(
        database_url, "SELECT count(*) AS n FROM assessments WHERE id = $1", uuid.UUID(ids.pop())
    )
    assert assessments[0]["n"] == 1


async def test_judgements_are_idempotent_and_checked(database_url):
    async with running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        aid = (await (await client.post("/v1/assessments", json=human())).get_json())[
            "assessment_id"
        ]
        base = f"/v1/assessments/{aid}"
        no_judge = await client.get(f"{base}/next-pair")
        assert no_judge.status_code == 422 and no_judge.content_type == PROBLEM
        pair = await client.get(f"{base}/next-pair", query_string={"judge_id": "j1"})
        assert pair.status_code == 200
        handed = await pair.get_json()
        assert set(handed) == {"pair_id", "essay_a", "essay_b", "lease_until"}
        assert handed["essay_a"]["text"] and handed["essay_b"]["text"]
        verdict = {"pair_id": handed["pair_id"], "judge_id": "j1", "winner": "a"}

        first = await client.post(f"{base}/judgements", json=verdict)
        assert first.status_code == 201, await first.get_data()
        repeat = await client.post(f"{base}/judgements", json=verdict)
        assert repeat.status_code == 200
        assert await repeat.get_json() == await first.get_json()
        changed = await client.post(f"{base}/judgements", json={**verdict, "winner": "b"})
        assert changed.status_code == 409 and changed.content_type == PROBLEM
        foreign = await client.post(f"{base}/judgements", json={**verdict, "judge_id": "j2"})
        assert foreign.status_code == 409
        unknown = await client.post(
            f"{base}/judgements", json={**verdict, "pair_id": str(uuid.uuid4())}
        )
        assert unknown.status_code == 404 and unknown.content_type == PROBLEM
        bad = await client.post(f"{base}/judgements", json={**verdict, "winner": "c"})
        assert bad.status_code == 422
        nowhere = await client.post(f"/v1/assessments/{uuid.uuid4()}/judgements", json=verdict)
        assert nowhere.status_code == 404

        got = await (await client.get(base)).get_json()
        assert got["comparisons"] == 1 and sum(got["exposure"].values()) == 2
        assert len(got["ranking"]) == 4 and all(r["se"] > 0 for r in got["ranking"])
        assert [j["judge_id"] for j in got["report"]["judges"]] == ["j1"]
    rows = await fetch(
        database_url,
        "SELECT status::text AS status, winner FROM comparisons WHERE assessment_id = $1",
        uuid.UUID(aid),
    )
    assert [(r["status"], r["winner"]) for r in rows] == [("answered", "a")]


async def test_a_lapsed_lease_is_handed_on_and_never_back(database_url):
    settings = fast_settings(database_url, pair_lease_seconds=0.5)
    async with running_app(settings) as app:
        client = app.test_client()
        body = human(2, max_comparisons_per_essay=4, min_comparisons_per_essay=1)
        aid = (await (await client.post("/v1/assessments", json=body)).get_json())["assessment_id"]
        base = f"/v1/assessments/{aid}/next-pair"
        first = await (await client.get(base, query_string={"judge_id": "j1"})).get_json()
        waiting = await client.get(base, query_string={"judge_id": "j2"})
        # the only pair is leased to j1: nothing for j2 now, but the assessment is not done
        assert waiting.status_code == 204 and waiting.headers["Retry-After"]
        await asyncio.sleep(0.7)
        handed_on = await client.get(base, query_string={"judge_id": "j2"})
        assert handed_on.status_code == 200
        assert (await handed_on.get_json())["pair_id"] == first["pair_id"]
        back = await client.get(base, query_string={"judge_id": "j1"})
        assert back.status_code == 204
    rows = await fetch(
        database_url,
        "SELECT judge_id, status::text AS status FROM comparisons WHERE pair_id = $1"
        " ORDER BY created_at",
        uuid.UUID(first["pair_id"]),
    )
    assert [(r["judge_id"], r["status"]) for r in rows] == [("j1", "leased"), ("j2", "leased")]


async def test_people_judge_until_it_stops_and_the_caller_hears_once(database_url):
    async with serving(Receiver()) as els, running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        body = human(5, callback_url=f"{els.url}/internal/v1/batches/b1/cj-result?attempt=1")
        aid = (await (await client.post("/v1/assessments", json=body)).get_json())["assessment_id"]
        base = f"/v1/assessments/{aid}"
        strength = {f"e{i}": i for i in range(5)}
        winners, losers = set(), set()
        for turn in range(60):
            judge = f"j{turn % 3}"
            got = await client.get(f"{base}/next-pair", query_string={"judge_id": judge})
            if got.status_code == 204 and not got.headers.get("Retry-After"):
                break
            if got.status_code == 204:
                continue
            pair = await got.get_json()
            a, b = pair["essay_a"]["essay_id"], pair["essay_b"]["essay_id"]
            winner = "a" if strength[a] > strength[b] else "b"
            winners.add(a if winner == "a" else b)
            losers.add(b if winner == "a" else a)
            verdict = {"pair_id": pair["pair_id"], "judge_id": judge, "winner": winner}
            assert (await client.post(f"{base}/judgements", json=verdict)).status_code == 201
        final = await (await client.get(base)).get_json()
        await els.wait_for(1)
        await asyncio.sleep(0.5)  # a second delivery would arrive now
    assert final["status"] == "completed" and final["stop_reason"]
    # Pairs are drawn at random and the budget is 3 per essay, so e3 and e4 may never meet
    # and e3 can lead. What always holds: first place never lost, last place never won.
    assert final["ranking"][0]["essay_id"] not in losers
    assert final["ranking"][-1]["essay_id"] not in winners
    assert all(count <= 3 for count in final["exposure"].values())
    assert Counter(r.idempotency_key for r in els.received) == Counter(
        {f"cj_assessment:{aid}:result": 1}
    )
    (callback,) = els.received
    assert callback.path == "/internal/v1/batches/b1/cj-result"
    assert callback.body["status"] == "completed"
    assert callback.body["assessment_id"] == aid
    assert [r["essay_id"] for r in callback.body["ranking"]] == [
        r["essay_id"] for r in final["ranking"]
    ]
    assert callback.body["reliability_method"] == final["reliability_method"]


async def test_next_pair_for_an_unknown_or_machine_judged_assessment(database_url):
    async with running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        unknown = await client.get(
            f"/v1/assessments/{uuid.uuid4()}/next-pair", query_string={"judge_id": "j"}
        )
        assert unknown.status_code == 404
        baseline = await (
            await client.post("/v1/assessments", json={"essays": essays(3)})
        ).get_json()
        refused = await client.get(
            f"/v1/assessments/{baseline['assessment_id']}/next-pair",
            query_string={"judge_id": "j"},
        )
        assert refused.status_code == 409 and refused.content_type == PROBLEM

        async def finished() -> bool:
            got = await client.get(f"/v1/assessments/{baseline['assessment_id']}")
            return (await got.get_json())["status"] == "completed"

        await eventually(finished)


async def test_nul_characters_are_dropped_from_texts(database_url):
    async with running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        body = human(2)
        body["essays"][0]["text"] = "Before\x00after."
        created = await client.post("/v1/assessments", json=body)
        assert created.status_code == 201, await created.get_data()
        only_nul = human(2)
        only_nul["essays"][1]["text"] = "\x00\x00"
        refused = await client.post("/v1/assessments", json=only_nul)
        assert refused.status_code == 422 and "empty" in (await refused.get_json())["detail"]
    rows = await fetch(
        database_url,
        "SELECT text FROM assessment_essays WHERE assessment_id = $1 AND essay_id = 'e0'",
        uuid.UUID((await created.get_json())["assessment_id"]),
    )
    assert rows[0]["text"] == "Beforeafter."


async def test_a_teacher_excludes_a_judge_and_takes_them_back(database_url):
    async with running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        created = await client.post(
            "/v1/assessments",
            json=human(6, min_comparisons_per_essay=4, max_comparisons_per_essay=6),
        )
        aid = (await created.get_json())["assessment_id"]
        base = f"/v1/assessments/{aid}"
        for turn in range(6):
            judge = f"j{turn % 2}"
            handed = await (
                await client.get(f"{base}/next-pair", query_string={"judge_id": judge})
            ).get_json()
            verdict = {"pair_id": handed["pair_id"], "judge_id": judge, "winner": "a"}
            assert (await client.post(f"{base}/judgements", json=verdict)).status_code == 201

        out = await client.post(f"{base}/judges/j1/exclude")
        assert out.status_code == 200, await out.get_data()
        report = (await out.get_json())["report"]
        assert report["excluded_judges"] == ["j1"]
        assert {j["judge_id"]: j["excluded"] for j in report["judges"]} == {
            "j0": False,
            "j1": True,
        }
        assert any("j1 was left out" in note for note in report["notes"])
        got = await (await client.get(base)).get_json()
        assert got["report"]["excluded_judges"] == ["j1"] and got["comparisons"] == 6

        back = await client.delete(f"{base}/judges/j1/exclude")
        assert back.status_code == 200
        assert (await back.get_json())["report"]["excluded_judges"] == []

        unknown = await client.post(f"{base}/judges/nobody/exclude")
        assert unknown.status_code == 404 and unknown.content_type == PROBLEM
        nowhere = await client.post(f"/v1/assessments/{uuid.uuid4()}/judges/j0/exclude")
        assert nowhere.status_code == 404
    rows = await fetch(
        database_url,
        "SELECT excluded_judges FROM assessments WHERE id = $1",
        uuid.UUID(aid),
    )
    assert rows[0]["excluded_judges"] == []
