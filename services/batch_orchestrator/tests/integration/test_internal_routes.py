"""The internal routes read the contract models: unknown fields are refused (in memory)."""

from services.batch_orchestrator.app import create_app
from services.batch_orchestrator.config import Settings

PROBLEM = "application/problem+json"


def app():
    return create_app(Settings(repository="memory", essay_lifecycle_url="http://127.0.0.1:9"))


async def test_an_outcome_with_a_field_the_contract_does_not_name_is_refused():
    quart = app()
    async with quart.test_app():
        client = quart.test_client()
        made = await client.post(
            "/v1/batches", headers={"X-User-ID": "t"}, json={"name": "x", "language": "en"}
        )
        batch_id = (await made.get_json())["batch_id"]
        url = f"/internal/v1/batches/{batch_id}/phase-outcomes"
        outcome = {"phase": "spellcheck", "attempt": 1, "succeeded": [], "failed": []}
        unknown = await client.post(url, json={**outcome, "essays": 3})
        row = await client.post(
            url, json={**outcome, "results": {"e1": {"status": "x", "score": 1}}}
        )
        bare_failure = await client.post(url, json={**outcome, "failed": [{"essay_id": "e1"}]})
        not_an_essay_id = await client.post(url, json={**outcome, "succeeded": ["e1"]})
        fine = await client.post(url, json=outcome)
    for refused in (unknown, row, bare_failure, not_an_essay_id):
        assert refused.status_code == 422 and refused.headers["Content-Type"] == PROBLEM
    assert [e["loc"] for e in (await not_an_essay_id.get_json())["errors"]] == [["succeeded", 0]]
    assert [e["loc"] for e in (await unknown.get_json())["errors"]] == [["essays"]]
    # a well-formed outcome for an attempt that is not running changes nothing
    assert fine.status_code == 200 and await fine.get_json() == {"applied": False}


async def test_the_gate_of_an_unknown_batch_is_404():
    quart = app()
    async with quart.test_app():
        missing = await quart.test_client().get("/internal/v1/batches/no-such-batch")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == PROBLEM


async def test_cj_settings_cj_assessment_would_refuse_are_a_422_naming_the_field():
    quart = app()
    async with quart.test_app():
        client = quart.test_client()
        refused = await client.post(
            "/v1/batches",
            headers={"X-User-ID": "t"},
            json={"name": "x", "language": "en", "cj": {"grade_scale": ["A", "A"]}},
        )
        empty_scale = await client.post(
            "/v1/batches",
            headers={"X-User-ID": "t"},
            json={"name": "x", "language": "en", "cj": {"grade_scale": []}},
        )
    assert refused.status_code == 422 and refused.headers["Content-Type"] == PROBLEM
    assert [e["loc"] for e in (await refused.get_json())["errors"]] == [["cj", "grade_scale"]]
    assert empty_scale.status_code == 422
    assert ["cj", "grade_scale"] in [e["loc"] for e in (await empty_scale.get_json())["errors"]]
