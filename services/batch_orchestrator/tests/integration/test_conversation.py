"""The whole BOS <-> ELS conversation: both real services as hypercorn processes with their
own databases, spell_checker and cj_assessment replaced by small servers that answer like
them. A file_service stand-in announces the essays to essay_lifecycle."""

import asyncio
import uuid

import httpx

from service_kit.postgres_server import free_port
from service_kit.testing.processes import running_service
from service_kit.testing.receiver import Receiver, serve_app, serving
from services.batch_orchestrator.tests.integration.fakes import FakeAssessor, FakeSpellChecker

TEACHER = {"X-User-ID": "teacher-conversation"}
FINISHED = {"completed", "completed_with_failures", "failed", "cancelled"}


async def wait_for_status(client: httpx.AsyncClient, batch_id: str, wanted: set[str]) -> dict:
    for _ in range(300):
        body = (await client.get(f"/v1/batches/{batch_id}", headers=TEACHER)).json()
        if body["status"] in wanted:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"batch stayed {body['status']}: {body}")


async def test_a_batch_goes_through_both_phases_and_a_retry(make_database, tmp_path):
    spell, assessor = FakeSpellChecker(fail_once={"2" * 64}), FakeAssessor()
    bos_port, els_port = free_port(), free_port()
    els_db, bos_db = await make_database("conv_els"), await make_database("conv_bos")
    fast = {
        "ESSAY_LIFECYCLE_OUTBOX_POLL_SECONDS": "0.5",
        "BATCH_ORCHESTRATOR_OUTBOX_POLL_SECONDS": "0.5",
    }
    # file_service's seal: four files, three essays and one rejected, none still processing
    files = Receiver(
        reply={
            "batch_id": "answered-for-any-batch",
            "sealed": True,
            "files": 4,
            "processing": 0,
            "ready": 3,
            "rejected": 1,
        }
    )
    async with (
        serve_app(spell.app(), spell.port),
        serve_app(assessor.app(), assessor.port),
        serving(files),
    ):
        with (
            running_service(
                "essay_lifecycle",
                els_db,
                tmp_path,
                port=els_port,
                env={
                    **fast,
                    "ESSAY_LIFECYCLE_URL": f"http://127.0.0.1:{els_port}",
                    "SPELL_CHECKER_URL": spell.url,
                    "CJ_ASSESSMENT_URL": assessor.url,
                },
            ),
            running_service(
                "batch_orchestrator",
                bos_db,
                tmp_path,
                port=bos_port,
                env={
                    **fast,
                    "BATCH_ORCHESTRATOR_URL": f"http://127.0.0.1:{bos_port}",
                    "ESSAY_LIFECYCLE_URL": f"http://127.0.0.1:{els_port}",
                    "FILE_SERVICE_URL": files.url,
                },
            ),
        ):
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{bos_port}") as bos,
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{els_port}") as els,
            ):
                created = await bos.post(
                    "/v1/batches",
                    headers=TEACHER,
                    json={
                        "name": "Conversation",
                        "language": "en",
                        "pipeline": "full",
                        "expected_essay_count": 4,
                        "cj": {"judge": "baseline"},
                    },
                )
                batch_id = created.json()["batch_id"]
                for _ in range(100):  # the registration travels through BOS's outbox
                    if (await els.get(f"/v1/batches/{batch_id}/summary")).status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                for i in range(3):
                    await els.post(
                        f"/internal/v1/batches/{batch_id}/essays",
                        json={
                            "file_id": uuid.uuid4().hex,
                            "filename": f"essay{i}.txt",
                            "text_content_id": str(i) * 64,
                            "raw_content_id": "f" * 64,
                        },
                    )
                await els.post(
                    f"/internal/v1/batches/{batch_id}/essays",
                    json={
                        "file_id": uuid.uuid4().hex,
                        "filename": "locked.pdf",
                        "error_code": "encrypted_pdf",
                        "error_message": "needs a password",
                    },
                )

                started = await bos.post(f"/v1/batches/{batch_id}/pipeline", headers=TEACHER)
                assert started.status_code == 202
                first = await wait_for_status(bos, batch_id, FINISHED)
                assert first["status"] == "completed_with_failures"
                assert [(p["phase"], p["attempt"], p["status"]) for p in first["phases"]] == [
                    ("cj_assessment", 1, "succeeded"),
                    ("spellcheck", 1, "partially_succeeded"),
                ]
                assert len(assessor.assessments[0]["essays"]) == 2  # only the checked essays

                retried = await bos.post(
                    f"/v1/batches/{batch_id}/phases/spellcheck/retry", headers=TEACHER
                )
                assert retried.status_code == 202
                # the rejected file keeps the batch "with failures" after the retry
                final = await wait_for_status(bos, batch_id, {"completed_with_failures"})
                results = (await bos.get(f"/v1/batches/{batch_id}/results", headers=TEACHER)).json()
                history = (await bos.get(f"/v1/batches/{batch_id}/history", headers=TEACHER)).json()
                summary = (await els.get(f"/v1/batches/{batch_id}/summary")).json()

    assert final["essays"]["by_status"] == {"completed": 3, "content_rejected": 1}
    assert len(spell.jobs) == 4  # three first attempts and one retry, nothing twice
    assert len(assessor.assessments) == 2
    assert sorted(r["status"] for r in results["essays"]) == ["completed"] * 3
    assert all(r["error_count"] == 4 for r in results["essays"])
    assert results["reliability"] == 0.82
    batch_changes = [c["to_status"] for c in history["changes"] if c["phase"] is None]
    assert batch_changes == [
        "awaiting_content",
        "ready",
        "processing",
        "completed_with_failures",
        "processing",
        "completed_with_failures",
    ]
    assert summary["completion_percent"] == 100.0
