"""What essay_lifecycle produces validates with the model its consumer reads it with
(``contracts``), after the JSON trip the outbox gives it; what it receives is read with the
same models, refusing unknown fields."""

import dataclasses
import json
import uuid
from typing import Any

import pytest

from contracts.batches import Anchor, CjSettings, SpellcheckSettings, SummaryOut
from contracts.cj import AssessmentIn
from contracts.outcomes import OutcomeIn
from contracts.spellcheck import JobIn
from service_kit.errors import InvalidInput
from services.essay_lifecycle.app import create_app
from services.essay_lifecycle.config import Settings
from services.essay_lifecycle.domain import EssayStatus, Phase
from services.essay_lifecycle.repository_memory_impl import (
    MemoryEssaySettler,
    MemoryEssayStore,
    MemoryEssayUnitOfWork,
)
from services.essay_lifecycle.tests.use_cases import Els

SETTINGS = {"judge": "baseline", "max_comparisons_per_essay": 10, "grade_scale": ["F", "A"]}


@pytest.fixture
def store() -> MemoryEssayStore:
    return MemoryEssayStore()


@pytest.fixture
def els(store) -> Els:
    return Els(lambda: MemoryEssayUnitOfWork(store), MemoryEssaySettler(store))


def sent(store: MemoryEssayStore, prefix: str) -> list[Any]:
    """The bodies queued under ``prefix``, as the consumer receives them (through JSON)."""
    return [
        json.loads(json.dumps(b)) for k, (_, _, b) in store.calls.items() if k.startswith(prefix)
    ]


async def batch_through_both_phases(els: Els, store: MemoryEssayStore) -> str:
    batch_id = uuid.uuid4().hex
    await els.register(batch_id, "sv", 3)
    for i in range(2):
        await els.notice(batch_id, f"f{i}", f"e{i}.txt", 1, f"{i:064d}", f"{i + 50:064d}")
    await els.notice(batch_id, "r", "bad.pdf", error_code="encrypted_pdf")
    await els.start(batch_id, Phase.SPELLCHECK, settings={"ignore": ["Åsa"]})
    essays = await els.essays(batch_id, status=EssayStatus.SPELLCHECK_IN_PROGRESS)
    figures = {
        "job_id": "j",
        "language": "sv",
        "word_count": 120,
        "error_count": 3,
        "corrected_count": 2,
        "flagged_count": 1,
        "unknown_count": 4,
    }
    for essay in essays:
        spelling = {"corrected_text_content_id": "c" * 64, **figures}
        await els.spellchecked(
            essay.id, 1, True, corrected_text_content_id="c" * 64, spelling=spelling
        )
    await els.start(batch_id, Phase.CJ_ASSESSMENT, last_phase=True, settings=SETTINGS)
    ranking = {
        str(e.id): {
            "essay_id": str(e.id),
            "score": 1.0 - i,
            "se": 0.3,
            "rank": i + 1,
            "comparisons": 10,
            "grade": "A",
            "grade_probabilities": {"A": 0.7, "F": 0.3},
        }
        for i, e in enumerate(essays)
    }
    summary = {"assessment_id": "a", "reliability": 0.83, "comparisons": 10}
    await els.assessed(batch_id, 1, True, ranking=ranking, summary=summary)
    return batch_id


async def test_the_spellcheck_job_is_what_spell_checker_reads(els, store):
    batch_id = await batch_through_both_phases(els, store)
    jobs = sent(store, "spellcheck:")
    assert len(jobs) == 2
    for body in jobs:
        job = JobIn.model_validate(body)
        assert (job.batch_id, job.language, job.ignore) == (batch_id, "sv", ["Åsa"])
        assert job.callback_url.startswith("http://els/internal/v1/essays/")
        assert set(body) == {
            "essay_id",
            "batch_id",
            "content_id",
            "language",
            "callback_url",
            "ignore",
        }


async def test_the_assessment_request_is_what_cj_assessment_reads(els, store):
    batch_id = await batch_through_both_phases(els, store)
    [body] = sent(store, "cj_assessment:")
    request = AssessmentIn.model_validate(body)
    assert request.batch_id == batch_id and len(request.essays) == 2
    assert {e.content_id for e in request.essays} == {"c" * 64}  # the corrected text
    assert (request.judge, request.max_comparisons_per_essay) == ("baseline", 10)
    assert request.grade_scale == ["F", "A"]
    assert set(body) == {"batch_id", "essays", "callback_url", *SETTINGS}


async def test_both_outcomes_are_what_the_orchestrator_reads(els, store):
    await batch_through_both_phases(els, store)
    spellcheck, cj = (OutcomeIn.model_validate(b) for b in sent(store, "outcome:"))
    assert (spellcheck.phase, len(spellcheck.succeeded), spellcheck.failed) == ("spellcheck", 2, [])
    assert spellcheck.summary.model_dump(exclude_none=True) == {}
    row = next(iter(spellcheck.results.values()))
    assert row.spelling is not None and row.spelling.word_count == 120
    assert row.status == "spellcheck_succeeded" and row.assessment is None
    assert (cj.phase, len(cj.succeeded)) == ("cj_assessment", 2)
    assert cj.summary.model_dump(exclude_none=True) == {
        "assessment_id": "a",
        "reliability": 0.83,
        "comparisons": 10,
    }
    ranked = [r.assessment for r in cj.results.values()]
    assert {(a.rank, a.grade) for a in ranked if a is not None} == {(1, "A"), (2, "A")}


async def test_an_outcome_keeps_each_row_as_it_came(els, store):
    await batch_through_both_phases(els, store)
    cj = sent(store, "outcome:")[1]
    row = next(iter(cj["results"].values()))
    assert row["spelling"] == {
        "corrected_text_content_id": "c" * 64,
        "job_id": "j",
        "language": "sv",
        "word_count": 120,
        "error_count": 3,
        "corrected_count": 2,
        "flagged_count": 1,
        "unknown_count": 4,
    }
    assert set(row["assessment"]) == {
        "essay_id",
        "score",
        "se",
        "rank",
        "comparisons",
        "grade",
        "grade_probabilities",
    }


async def test_settings_a_phase_cannot_take_are_refused_before_anything_is_written(els, store):
    batch_id = uuid.uuid4().hex
    await els.register(batch_id)
    await els.notice(batch_id, "f", "e.txt", 1, "1" * 64)
    with pytest.raises(InvalidInput) as refused:
        await els.start(batch_id, Phase.SPELLCHECK, settings={"ignore": ["x"], "bogus": 1})
    assert refused.value.extra["errors"][0]["loc"] == ["settings", "bogus"]
    with pytest.raises(InvalidInput):
        await els.start(batch_id, Phase.CJ_ASSESSMENT, settings={"grade_scale": []})
    assert store.runs == {} and store.calls == {}


async def test_an_essay_with_nothing_to_assess_fails_and_is_never_sent(els, store):
    batch_id = uuid.uuid4().hex
    await els.register(batch_id)
    await els.notice(batch_id, "f", "e.txt")  # ready, with no text at all
    [essay] = await els.essays(batch_id)
    # as if a spellcheck had passed it: the state machine allows it cj_assessment
    store.essays[essay.id] = dataclasses.replace(essay, status=EssayStatus.SPELLCHECK_SUCCEEDED)
    run = await els.start(batch_id, Phase.CJ_ASSESSMENT)
    assert (run.essay_count, run.open_essays) == (1, 0)
    assert sent(store, "cj_assessment:") == []
    assert (await els.essay(essay.id)).status is EssayStatus.CJ_ASSESSMENT_FAILED
    [outcome] = (OutcomeIn.model_validate(b) for b in sent(store, "outcome:"))
    assert [f.status for f in outcome.failed] == ["cj_assessment_failed"]


async def test_the_summary_answer_is_what_the_orchestrator_reads():
    app = create_app(Settings(repository="memory", log_level="ERROR"))
    async with app.test_app():
        client = app.test_client()
        await client.post(
            "/internal/v1/batches",
            json={"batch_id": "b", "language": "en", "callback_url": "http://bos"},
        )
        await client.post(
            "/internal/v1/batches/b/essays", json={"file_id": "f", "filename": "e.txt"}
        )
        answer = await client.get("/v1/batches/b/summary")
        summary = SummaryOut.model_validate(await answer.get_json())
    assert (summary.total, summary.by_status, summary.completion_percent) == (1, {"ready": 1}, 0.0)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/internal/v1/batches", {"batch_id": "b", "language": "en", "callback_url": "http://b"}),
        ("/internal/v1/batches/b/essays", {"file_id": "f", "filename": "e.txt"}),
        ("/internal/v1/batches/b/phases/spellcheck", {}),
        ("/internal/v1/essays/{essay}/spellcheck-result", {"status": "failed"}),
        ("/internal/v1/batches/b/cj-result", {"status": "failed"}),
    ],
)
async def test_internal_routes_refuse_unknown_fields(path, body):
    app = create_app(Settings(repository="memory", log_level="ERROR"))
    async with app.test_app():
        client = app.test_client()
        target = path.format(essay=uuid.uuid4())
        refused = await client.post(target, json={**body, "surprise": 1})
        assert refused.status_code == 422
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert (await refused.get_json())["errors"][0]["loc"] == ["surprise"]


async def test_a_phase_command_with_settings_its_peer_would_refuse_is_a_422():
    app = create_app(Settings(repository="memory", log_level="ERROR"))
    async with app.test_app():
        client = app.test_client()
        await client.post(
            "/internal/v1/batches",
            json={"batch_id": "b", "language": "en", "callback_url": "http://bos"},
        )
        refused = await client.post(
            "/internal/v1/batches/b/phases/cj_assessment",
            json={"settings": {"judge": "oracle"}},
        )
        assert refused.status_code == 422
        assert refused.headers["Content-Type"] == "application/problem+json"
        problem = await refused.get_json()
        assert problem["errors"][0]["loc"] == ["settings", "judge"]


async def test_the_orchestrators_whole_settings_reach_the_peers_as_they_were_given(els, store):
    # what batch_orchestrator sends: its settings models dumped whole, None values and all
    cj = CjSettings(
        judge="llm",
        anchors=[Anchor(grade="A", content_id="a" * 64), Anchor(grade="F", text="weak")],
        grade_scale=["F", "A"],
    ).model_dump()
    spellcheck = SpellcheckSettings(ignore=["Åsa"]).model_dump()
    batch_id = uuid.uuid4().hex
    await els.register(batch_id)
    await els.notice(batch_id, "f", "e.txt", 1, "1" * 64)
    await els.start(batch_id, Phase.SPELLCHECK, settings=spellcheck)
    [essay] = await els.essays(batch_id)
    await els.spellchecked(essay.id, 1, True)
    await els.start(batch_id, Phase.CJ_ASSESSMENT, settings=cj)
    [job] = sent(store, "spellcheck:")
    [request] = sent(store, "cj_assessment:")
    assert {k: job[k] for k in spellcheck} == spellcheck
    assert {k: request[k] for k in cj} == json.loads(json.dumps(cj))
    assert request["anchors"][1] == {"grade": "F", "text": "weak", "content_id": None}
