"""essay_lifecycle -> spell_checker (the job) and spell_checker -> essay_lifecycle (the
result callback)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from contracts.batches import SpellcheckSettings
from contracts.spellcheck import JobIn, SpellcheckFigures, SpellcheckResultIn
from contracts.tests.helpers import as_json, refuses, with_unknown_field
from services.spell_checker.domain import SpellcheckJob, SpellcheckStatus, callback_body

JOB = SpellcheckJob(
    id=uuid.uuid4(),
    essay_id=str(uuid.uuid4()),
    batch_id="b",
    content_id="c" * 64,
    language="auto",
    callback_url="http://essay-lifecycle:8000/internal/v1/essays/x/spellcheck-result?attempt=1",
)


def job_request() -> dict[str, Any]:
    # essay_lifecycle/phases.py: _dispatch_spellcheck, the spell_checker job's body
    essay_id = uuid.uuid4()
    return {
        "essay_id": str(essay_id),
        "batch_id": "b",
        "content_id": "c" * 64,
        "language": "en",
        "callback_url": "http://essay-lifecycle:8000/internal/v1/essays/"
        f"{essay_id}/spellcheck-result?attempt=1",
        **SpellcheckSettings(ignore=["Hemingway"]).model_dump(),
    }


def succeeded() -> dict[str, Any]:
    # spell_checker/domain.py: callback_body of a succeeded job
    job = dataclasses.replace(
        JOB,
        status=SpellcheckStatus.SUCCEEDED,
        language="sv",
        word_count=120,
        error_count=3,
        errors_per_100_words=2.5,
        corrections_count=3,
        corrected_text_content_id="d" * 64,
    )
    return callback_body(job)


def failed() -> dict[str, Any]:
    # spell_checker/domain.py: callback_body of a failed job
    return callback_body(
        dataclasses.replace(JOB, status=SpellcheckStatus.FAILED, reason="content missing")
    )


def test_job_request_validates() -> None:
    job = JobIn.model_validate(as_json(job_request()))
    assert job.ignore == ["Hemingway"]
    assert job.check_names is False


def test_job_request_limits() -> None:
    # a public route: unknown fields are ignored, as they always were
    assert not hasattr(JobIn.model_validate(with_unknown_field(job_request())), "surprise")
    refuses(JobIn, {**job_request(), "callback_url": "ftp://x"})
    refuses(JobIn, {**job_request(), "content_id": "c\x00"})
    refuses(JobIn, {**job_request(), "language": ""})
    refuses(JobIn, {**job_request(), "ignore": ["x"] * 1001})


def test_succeeded_callback_validates() -> None:
    result = SpellcheckResultIn.model_validate(as_json(succeeded()))
    assert result.status == "succeeded"
    assert result.corrected_text_content_id == "d" * 64
    figures = result.model_dump(exclude={"status", "reason"}, exclude_unset=True)
    assert SpellcheckFigures.model_validate(figures).word_count == 120
    assert set(figures) == set(succeeded()) - {"status"}


def test_failed_callback_validates() -> None:
    result = SpellcheckResultIn.model_validate(as_json(failed()))
    assert (result.status, result.reason) == ("failed", "content missing")


def test_callback_refuses_unknown_fields_and_bad_text() -> None:
    refuses(SpellcheckResultIn, with_unknown_field(succeeded()))
    refuses(SpellcheckResultIn, {**succeeded(), "status": "done"})
    refuses(SpellcheckResultIn, {**failed(), "reason": "a\x00"})
    refuses(SpellcheckResultIn, {**succeeded(), "corrected_text_content_id": "x" * 65})
    refuses(SpellcheckFigures, {"surprise": 1})
