"""essay_lifecycle on real PostgreSQL, its outbox sending to recording receivers over HTTP."""

import asyncio
import uuid
from collections import Counter

import asyncpg
import pytest

from service_kit.testing.receiver import Receiver, serving
from services.essay_lifecycle.app import create_app
from services.essay_lifecycle.config import Settings

PROBLEM = "application/problem+json"


def settings(database_url: str, spell: str, cj: str) -> Settings:
    return Settings(
        database_url=database_url,
        spell_checker_url=spell,
        cj_assessment_url=cj,
        public_url="http://els.invalid",
        outbox_poll_seconds=0.2,
        outbox_backoff_base_seconds=0.05,
    )


async def register(client, batch_id: str, bos: str, count: int) -> None:
    response = await client.post(
        "/internal/v1/batches",
        json={
            "batch_id": batch_id,
            "language": "en",
            "callback_url": bos,
            "expected_essay_count": count,
        },
    )
    assert response.status_code == 201


async def announce(client, batch_id: str, count: int) -> None:
    for i in range(count):
        response = await client.post(
            f"/internal/v1/batches/{batch_id}/essays",
            json={
                "file_id": f"file-{i}",
                "filename": f"e{i}.txt",
                "version": 1,
                "text_content_id": f"{i:064x}",
                "raw_content_id": f"{i + 100:064x}",
            },
        )
        assert response.status_code == 201


async def test_file_notices_are_idempotent_and_bad_input_is_a_4xx(database_url):
    async with serving(Receiver()) as peer:
        app = create_app(settings(database_url, peer.url, peer.url))
        async with app.test_app():
            client = app.test_client()
            batch_id = uuid.uuid4().hex
            body = {"file_id": "f1", "filename": "a.docx", "text_content_id": "1" * 64}
            first = await client.post(f"/internal/v1/batches/{batch_id}/essays", json=body)
            again = await client.post(f"/internal/v1/batches/{batch_id}/essays", json=body)
            assert (first.status_code, again.status_code) == (201, 200)
            assert (await first.get_json())["essay_id"] == (await again.get_json())["essay_id"]
            listing = await (await client.get(f"/v1/batches/{batch_id}/essays")).get_json()
            assert len(listing["items"]) == 1

            rejected = await client.post(
                f"/internal/v1/batches/{batch_id}/essays",
                json={
                    "file_id": "f2",
                    "filename": "x.pdf",
                    "error_code": "encrypted_pdf",
                    "error_message": "needs a password",
                },
            )
            assert (await rejected.get_json())["status"] == "content_rejected"

            bad = await client.post(f"/internal/v1/batches/{batch_id}/essays", json={"file": 1})
            assert bad.status_code == 422 and bad.headers["Content-Type"] == PROBLEM
            unknown_phase = await client.post(
                f"/internal/v1/batches/{batch_id}/phases/grading", json={}
            )
            assert unknown_phase.status_code == 422
            unregistered = await client.post(
                f"/internal/v1/batches/{batch_id}/phases/spellcheck", json={}
            )
            assert unregistered.status_code == 409
            missing = await client.get(f"/v1/essays/{uuid.uuid4()}")
            assert missing.status_code == 404 and missing.headers["Content-Type"] == PROBLEM


async def test_spellcheck_fan_out_and_one_outcome_over_http(database_url):
    async with serving(Receiver()) as spell, serving(Receiver()) as bos:
        app = create_app(settings(database_url, spell.url, spell.url))
        async with app.test_app():
            client = app.test_client()
            batch_id = uuid.uuid4().hex
            await register(client, batch_id, bos.url, 4)
            await announce(client, batch_id, 4)
            started = await client.post(
                f"/internal/v1/batches/{batch_id}/phases/spellcheck", json={"attempt": 1}
            )
            assert started.status_code == 202
            assert (await started.get_json())["essay_count"] == 4
            await spell.wait_for(4)
            jobs = [r for r in spell.received if r.path == "/v1/jobs"]
            assert len({r.body["essay_id"] for r in jobs}) == 4
            assert {r.body["language"] for r in jobs} == {"en"}
            assert all(r.idempotency_key.startswith("spellcheck:") for r in jobs)

            for i, job in enumerate(jobs):
                path = job.body["callback_url"].removeprefix("http://els.invalid")
                status = "succeeded" if i else "failed"
                answer = await client.post(
                    path,
                    json={
                        "status": status,
                        "corrected_text_content_id": "c" * 64,
                        "word_count": 120,
                        "error_count": i,
                        "reason": None if i else "boom",
                    },
                )
                assert answer.status_code == 200, await answer.get_data()
            await bos.wait_for(1)
            await asyncio.sleep(0.3)  # a second outcome, if one were sent, would arrive now
            [outcome] = bos.received
            assert outcome.path == f"/internal/v1/batches/{batch_id}/phase-outcomes"
            assert len(outcome.body["succeeded"]) == 3
            assert len(outcome.body["failed"]) == 1

            summary = await (await client.get(f"/v1/batches/{batch_id}/summary")).get_json()
            assert summary["by_status"] == {"spellcheck_succeeded": 3, "spellcheck_failed": 1}
            assert summary["phases"][0]["finished"] == 4
            essay_id = outcome.body["succeeded"][0]
            timeline = await (await client.get(f"/v1/essays/{essay_id}/timeline")).get_json()
            assert [e["event"] for e in timeline["events"]] == [
                "file_received",
                "spellcheck.requested",
                "spellcheck.dispatched",
                "spellcheck.succeeded",
            ]


async def test_two_replicas_racing_callbacks_lose_nothing_and_report_once(database_url):
    async with serving(Receiver()) as spell, serving(Receiver()) as bos:
        apps = [create_app(settings(database_url, spell.url, spell.url)) for _ in range(2)]
        async with apps[0].test_app(), apps[1].test_app():
            clients = [app.test_client() for app in apps]
            batch_id = uuid.uuid4().hex
            await register(clients[0], batch_id, bos.url, 20)
            await announce(clients[1], batch_id, 20)
            await clients[0].post(f"/internal/v1/batches/{batch_id}/phases/spellcheck", json={})
            await spell.wait_for(20)
            paths = [
                r.body["callback_url"].removeprefix("http://els.invalid") for r in spell.received
            ]

            def callback(i: int):
                path = paths[i % 20]
                status = "succeeded" if (i // 20) % 2 == 0 else "failed"
                return clients[i % 2].post(
                    path,
                    json={
                        "status": status,
                        "corrected_text_content_id": "c" * 64,
                        "reason": "racing",
                    },
                )

            responses = await asyncio.gather(*(callback(i) for i in range(200)))
            assert {r.status_code for r in responses} == {200}
            applied = [(await r.get_json())["applied"] for r in responses]
            assert sum(applied) == 20  # exactly one callback per essay took effect
            await bos.wait_for(1)
            await asyncio.sleep(0.5)

    assert Counter(r.idempotency_key for r in bos.received) == {
        f"outcome:{batch_id}:spellcheck:1": 1
    }
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch(
            "SELECT e.id, e.version, e.status::text AS status, "
            "array_agg(ev.sequence ORDER BY ev.sequence) AS sequences "
            "FROM essays e JOIN essay_events ev ON ev.essay_id = e.id "
            "WHERE e.batch_id = $1 GROUP BY e.id",
            batch_id,
        )
        outcomes = await connection.fetchval(
            "SELECT count(*) FROM outbox WHERE idempotency_key LIKE $1", f"outcome:{batch_id}:%"
        )
    finally:
        await connection.close()
    assert len(rows) == 20
    for row in rows:
        assert row["version"] == len(row["sequences"])  # no lost update
        assert list(row["sequences"]) == list(range(1, row["version"] + 1))  # ordered, complete
        assert row["status"] in {"spellcheck_succeeded", "spellcheck_failed"}
    assert outcomes == 1


@pytest.mark.parametrize("status", ["failed", "completed"])
async def test_assessment_callback_finishes_the_run(database_url, status):
    async with serving(Receiver()) as peer, serving(Receiver()) as bos:
        app = create_app(settings(database_url, peer.url, peer.url))
        async with app.test_app():
            client = app.test_client()
            batch_id = uuid.uuid4().hex
            await register(client, batch_id, bos.url, 3)
            await announce(client, batch_id, 3)
            await client.post(f"/internal/v1/batches/{batch_id}/phases/spellcheck", json={})
            await peer.wait_for(3)
            for job in list(peer.received):
                await client.post(
                    job.body["callback_url"].removeprefix("http://els.invalid"),
                    json={"status": "succeeded", "corrected_text_content_id": "d" * 64},
                )
            await bos.wait_for(1)
            await client.post(
                f"/internal/v1/batches/{batch_id}/phases/cj_assessment",
                json={"last_phase": True, "settings": {"judge": "baseline"}},
            )
            await peer.wait_for(4)
            assessment = peer.received[-1]
            assert assessment.path == "/v1/assessments"
            assert {e["content_id"] for e in assessment.body["essays"]} == {"d" * 64}
            ranking = [
                {
                    "essay_id": e["essay_id"],
                    "score": float(i),
                    "se": 0.5,
                    "rank": i + 1,
                    "comparisons": 12,
                }
                for i, e in enumerate(assessment.body["essays"])
            ]
            answer = await client.post(
                assessment.body["callback_url"].removeprefix("http://els.invalid"),
                json={
                    "status": status,
                    "ranking": ranking,
                    "reason": "judge failed",
                    "reliability": 0.81,
                },
            )
            assert (await answer.get_json())["outcome_sent"] is True
            await bos.wait_for(2)
            outcome = bos.received[-1].body
            summary = await (await client.get(f"/v1/batches/{batch_id}/summary")).get_json()
    if status == "failed":
        assert outcome["succeeded"] == [] and len(outcome["failed"]) == 3
        assert summary["by_status"] == {"cj_assessment_failed": 3}
    else:
        assert len(outcome["succeeded"]) == 3 and outcome["summary"]["reliability"] == 0.81
        assert summary["by_status"] == {"completed": 3}
        assert summary["completion_percent"] == 100.0
