"""batch_orchestrator's API on real PostgreSQL; essay_lifecycle is a recording receiver."""

import asyncio
import uuid

import asyncpg
import pytest

from contracts.batches import SpellcheckSettings
from service_kit.clock import SystemClock
from service_kit.db import Database
from service_kit.testing.receiver import Receiver, serving
from services.batch_orchestrator.app import create_app
from services.batch_orchestrator.config import Peers, Settings
from services.batch_orchestrator.repository_postgres_impl import PostgresOrchestratorUnitOfWork
from services.batch_orchestrator.use_cases import CreateBatch, CreateBatchCommand

PROBLEM = "application/problem+json"
# essay_lifecycle's essay ids are UUIDs
E1, E2 = (str(uuid.uuid4()) for _ in range(2))
TEACHER = {"X-User-ID": "teacher-a"}


def peers_reply(ready: int, rejected: int = 0) -> dict:
    """One receiver stands in for essay_lifecycle's summary and file_service's seal (the
    answer holds every field of both contracts, SummaryOut and IntakeOut)."""
    return {
        "batch_id": "answered-for-any-batch",
        "total": ready + rejected,
        "expected_essay_count": None,
        "terminal": 0,
        "completion_percent": 0.0,
        "phases": [],
        "by_status": {"ready": ready, "content_rejected": rejected},
        "sealed": ready > 0,
        "files": ready + rejected,
        "processing": 0,
        "ready": ready,
        "rejected": rejected,
    }


def make(database_url: str, els: str, files: str | None = None):
    return create_app(
        Settings(
            database_url=database_url,
            essay_lifecycle_url=els,
            file_service_url=files or els,
            public_url="http://bos.invalid",
            outbox_poll_seconds=0.2,
        )
    )


async def rows(database_url: str, query: str, *args):
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def test_create_read_list_and_bad_input(database_url):
    async with serving(Receiver(reply=peers_reply(0))) as els:
        app = make(database_url, els.url)
        async with app.test_app():
            client = app.test_client()
            created = await client.post(
                "/v1/batches",
                headers=TEACHER,
                json={
                    "name": "9A essays",
                    "language": "sv",
                    "pipeline": ["cj_assessment"],
                    "expected_essay_count": 12,
                    "cj": {"judge": "baseline"},
                },
            )
            assert created.status_code == 201
            batch = await created.get_json()
            assert batch["pipeline"] == ["spellcheck", "cj_assessment"]
            assert batch["status"] == "awaiting_content"
            assert [(p["phase"], p["status"]) for p in batch["phases"]] == [
                ("spellcheck", "pending"),
                ("cj_assessment", "pending"),
            ]
            await els.wait_for(1)
            registration = els.received[0]
            assert registration.path == "/internal/v1/batches"
            assert registration.body["callback_url"] == "http://bos.invalid"

            got = await client.get(f"/v1/batches/{batch['batch_id']}", headers=TEACHER)
            body = await got.get_json()
            assert [p["status"] for p in body["phases"]] == ["pending", "pending"]
            assert body["degraded"] is False
            other = await client.get(
                f"/v1/batches/{batch['batch_id']}", headers={"X-User-ID": "teacher-b"}
            )
            assert other.status_code == 404 and other.headers["Content-Type"] == PROBLEM
            internal = await client.get(f"/internal/v1/batches/{batch['batch_id']}")
            assert await internal.get_json() == {
                "batch_id": batch["batch_id"],
                "status": "awaiting_content",
                "pipeline_started": False,
            }

            no_user = await client.post("/v1/batches", json={"name": "x", "language": "en"})
            assert no_user.status_code == 401
            unknown = await client.post(
                "/v1/batches",
                headers=TEACHER,
                json={"name": "x", "language": "en", "pipeline": ["grading"]},
            )
            assert (
                unknown.status_code == 422
                and "known phases" in (await unknown.get_json())["detail"]
            )
            bad_language = await client.post(
                "/v1/batches", headers=TEACHER, json={"name": "x", "language": "de"}
            )
            assert bad_language.status_code == 422
            no_essays = await client.post(
                f"/v1/batches/{batch['batch_id']}/pipeline", headers=TEACHER
            )
            assert no_essays.status_code == 409

            for i in range(3):
                await client.post(
                    "/v1/batches",
                    headers={"X-User-ID": "lister"},
                    json={"name": f"b{i}", "language": "en"},
                )
            first = await (
                await client.get("/v1/batches?limit=2", headers={"X-User-ID": "lister"})
            ).get_json()
            rest = await (
                await client.get(
                    f"/v1/batches?limit=2&cursor={first['next_cursor']}",
                    headers={"X-User-ID": "lister"},
                )
            ).get_json()
            assert [b["name"] for b in first["items"] + rest["items"]] == ["b0", "b1", "b2"]
            assert rest["next_cursor"] is None


async def test_essay_lifecycle_down_gives_a_degraded_read_and_a_503_start(database_url):
    app = make(database_url, "http://127.0.0.1:9")
    async with app.test_app():
        client = app.test_client()
        created = await client.post(
            "/v1/batches", headers=TEACHER, json={"name": "x", "language": "en"}
        )
        batch_id = (await created.get_json())["batch_id"]
        got = await (await client.get(f"/v1/batches/{batch_id}", headers=TEACHER)).get_json()
        assert got["degraded"] is True and got["essays"] is None
        start = await client.post(f"/v1/batches/{batch_id}/pipeline", headers=TEACHER)
        assert start.status_code == 503 and start.headers["Retry-After"] == "5"


async def test_registration_is_atomic(database_url):
    class FailingAfterInsert(PostgresOrchestratorUnitOfWork):
        async def call_peer(self, *args, **kwargs):
            raise RuntimeError("crash between the batch row and its outbox row")

    database = Database(database_url)
    try:
        async with database.sessions() as session:
            with pytest.raises(RuntimeError):
                await CreateBatch(
                    FailingAfterInsert(session), Peers("http://bos", "http://els"), SystemClock()
                ).execute(
                    CreateBatchCommand(
                        owner="atomic-owner",
                        name="n",
                        language="en",
                        pipeline=["spellcheck"],
                        expected_essay_count=None,
                        spellcheck=SpellcheckSettings(),
                    )
                )
    finally:
        await database.dispose()
    assert await rows(database_url, "SELECT id FROM batches WHERE owner = 'atomic-owner'") == []
    orphans = await rows(
        database_url,
        "SELECT 1 FROM phase_status_log WHERE batch_id NOT IN (SELECT id FROM batches) "
        "UNION ALL SELECT 1 FROM outbox WHERE idempotency_key LIKE 'register:%' AND "
        "substr(idempotency_key, 10) NOT IN (SELECT id FROM batches)",
    )
    assert orphans == []


async def test_two_concurrent_outcomes_for_one_phase_one_wins(database_url):
    async with serving(Receiver(reply=peers_reply(2))) as els:
        apps = [make(database_url, els.url) for _ in range(2)]
        async with apps[0].test_app(), apps[1].test_app():
            clients = [a.test_client() for a in apps]
            created = await clients[0].post(
                "/v1/batches", headers=TEACHER, json={"name": "race", "language": "en"}
            )
            batch_id = (await created.get_json())["batch_id"]
            started = await clients[0].post(f"/v1/batches/{batch_id}/pipeline", headers=TEACHER)
            assert started.status_code == 202
            body = {
                "phase": "spellcheck",
                "attempt": 1,
                "succeeded": [E1, E2],
                "failed": [],
                "results": {E1: {"status": "spellcheck_succeeded"}},
            }
            answers = await asyncio.gather(
                *(
                    clients[i % 2].post(
                        f"/internal/v1/batches/{batch_id}/phase-outcomes", json=body
                    )
                    for i in range(10)
                )
            )
            applied = [(await a.get_json())["applied"] for a in answers]
    assert sorted(applied) == [False] * 9 + [True]
    commands = await rows(
        database_url,
        "SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE $1",
        f"phase:{batch_id}:cj_assessment:%",
    )
    assert [r[0] for r in commands] == [f"phase:{batch_id}:cj_assessment:1"]


async def test_results_as_json_and_csv(database_url):
    async with serving(Receiver(reply=peers_reply(2))) as els:
        app = make(database_url, els.url)
        async with app.test_app():
            client = app.test_client()
            created = await client.post(
                "/v1/batches", headers=TEACHER, json={"name": "res", "language": "en"}
            )
            batch_id = (await created.get_json())["batch_id"]
            await client.post(f"/v1/batches/{batch_id}/pipeline", headers=TEACHER)
            spell = {
                "phase": "spellcheck",
                "attempt": 1,
                "succeeded": [E1, E2],
                "failed": [],
                "results": {
                    e: {
                        "filename": f"{e}.txt",
                        "status": "spellcheck_succeeded",
                        "spelling": {
                            "word_count": 100,
                            "error_count": 3,
                            "errors_per_100_words": 3.0,
                            "corrected_count": 2,
                            "flagged_count": 1,
                            "unknown_count": 0,
                        },
                    }
                    for e in (E1, E2)
                },
            }
            applied = await client.post(
                f"/internal/v1/batches/{batch_id}/phase-outcomes", json=spell
            )
            assert (await applied.get_json()) == {"applied": True}
            cj = {
                "phase": "cj_assessment",
                "attempt": 1,
                "succeeded": [E1, E2],
                "failed": [],
                "results": {
                    E1: {
                        "status": "completed",
                        "assessment": {
                            "essay_id": E1,
                            "score": -0.5,
                            "se": 0.4,
                            "rank": 2,
                            "comparisons": 20,
                        },
                    },
                    E2: {
                        "status": "completed",
                        "assessment": {
                            "essay_id": E2,
                            "score": 0.5,
                            "se": 0.4,
                            "rank": 1,
                            "comparisons": 20,
                        },
                    },
                },
                "summary": {"reliability": 0.83, "comparisons": 40},
            }
            applied = await client.post(f"/internal/v1/batches/{batch_id}/phase-outcomes", json=cj)
            assert (await applied.get_json()) == {"applied": True}
            result = await (
                await client.get(f"/v1/batches/{batch_id}/results", headers=TEACHER)
            ).get_json()
            csv_answer = await client.get(
                f"/v1/batches/{batch_id}/results?format=csv", headers=TEACHER
            )
            text = await csv_answer.get_data(as_text=True)
    assert result["status"] == "completed" and result["reliability"] == 0.83
    assert [(r["essay_id"], r["rank"], r["error_count"]) for r in result["essays"]] == [
        (E2, 1, 3),
        (E1, 2, 3),
    ]
    assert csv_answer.headers["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("essay_id,filename,status,word_count")
    assert {
        (r["corrected_count"], r["flagged_count"], r["unknown_count"]) for r in result["essays"]
    } == {(2, 1, 0)}
    assert text.splitlines()[1].startswith(f"{E2},{E2}.txt,completed,100,3,3.0,2,1,0,0.5,0.4,1")


async def test_unknown_batch_is_404(database_url):
    app = make(database_url, "http://127.0.0.1:9")
    async with app.test_app():
        missing = await app.test_client().get(f"/v1/batches/{uuid.uuid4().hex}", headers=TEACHER)
    assert missing.status_code == 404 and missing.headers["Content-Type"] == PROBLEM


async def test_an_anchor_without_text_or_content_is_refused_before_it_reaches_cj(database_url):
    async with serving(Receiver(reply=peers_reply(0))) as els:
        app = make(database_url, els.url)
        async with app.test_app():
            client = app.test_client()
            refused = await client.post(
                "/v1/batches",
                headers=TEACHER,
                json={"name": "x", "language": "en", "cj": {"anchors": [{"grade": "C"}]}},
            )
            anchor = {"grade": "C", "text": "An essay of grade C."}
            accepted = await client.post(
                "/v1/batches",
                headers=TEACHER,
                json={"name": "x", "language": "auto", "cj": {"anchors": [anchor]}},
            )
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == PROBLEM
    assert accepted.status_code == 201
