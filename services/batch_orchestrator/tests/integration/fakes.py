"""Small HTTP servers that answer like spell_checker and cj_assessment and call back (their
callbacks built with the contract models, as the real services send them)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
from quart import Quart, request

from contracts.cj import AssessmentResultIn, RankedEssay
from contracts.spellcheck import SpellcheckResultIn
from service_kit.postgres_server import free_port


@dataclass
class FakeSpellChecker:
    """Accepts jobs, then posts a result to each job's callback_url. Content ids in
    ``fail_once`` fail their first job (a retry then succeeds)."""

    port: int = field(default_factory=free_port)
    fail_once: set[str] = field(default_factory=set)
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Quart:
        app = Quart("fake_spell_checker")

        @app.post("/v1/jobs")
        async def job() -> tuple[dict[str, Any], int]:
            body = await request.get_json()
            self.jobs.append(body)
            failing = body["content_id"] in self.fail_once
            self.fail_once.discard(body["content_id"])
            asyncio.get_running_loop().create_task(self._answer(body, failing))
            return {"job_id": f"job-{len(self.jobs)}", "status": "queued"}, 202

        return app

    async def _answer(self, job: dict[str, Any], failing: bool) -> None:
        await asyncio.sleep(0.05)
        result = (
            SpellcheckResultIn(status="failed", reason="the text could not be fetched")
            if failing
            else SpellcheckResultIn(
                status="succeeded",
                corrected_text_content_id="c" * 64,
                word_count=200,
                error_count=4,
                errors_per_100_words=2.0,
            )
        )
        async with httpx.AsyncClient() as client:
            await client.post(job["callback_url"], json=result.model_dump(exclude_unset=True))


@dataclass
class FakeAssessor:
    """Accepts an assessment, then posts a ranking of its essays to the callback_url."""

    port: int = field(default_factory=free_port)
    assessments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Quart:
        app = Quart("fake_cj_assessment")

        @app.post("/v1/assessments")
        async def assess() -> tuple[dict[str, Any], int]:
            body = await request.get_json()
            self.assessments.append(body)
            asyncio.get_running_loop().create_task(self._answer(body))
            return {"assessment_id": f"a-{len(self.assessments)}"}, 201

        return app

    async def _answer(self, assessment: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)
        essays = assessment["essays"]
        ranking = [
            RankedEssay(
                essay_id=e["essay_id"],
                score=float(len(essays) - i),
                se=0.4,
                rank=i + 1,
                comparisons=10,
            )
            for i, e in enumerate(essays)
        ]
        result = AssessmentResultIn(
            status="completed", ranking=ranking, reliability=0.82, comparisons=10 * len(essays)
        )
        async with httpx.AsyncClient() as client:
            await client.post(
                assessment["callback_url"], json=result.model_dump(mode="json", exclude_unset=True)
            )
