"""The whole platform through its public API: the api_gateway in front of six real services,
real HTTP, real PostgreSQL, the sample batch of samples/batch/, and the faults real
deployments have. Every call a teacher makes goes through the gateway with an API key; the
tests look at the services directly only to observe them (metrics) or to break them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from demo.client import FINISHED, Endpoints, Platform
from service_kit.testing.processes import REPO_ROOT
from service_kit.testing.stack import fresh_databases, running_stack
from services.api_gateway.config import Settings as GatewaySettings
from services.api_gateway.devuser import ensure_teacher

SAMPLES = REPO_ROOT / "samples" / "batch"
BROKEN = "broken.docx"
RANKED_TIMELINE = [
    "spellcheck.requested",
    "spellcheck.dispatched",
    "spellcheck.succeeded",
    "cj_assessment.requested",
    "cj_assessment.dispatched",
    "cj_assessment.succeeded",
    "complete",
]
CJ = {"judge": "baseline", "max_comparisons_per_essay": 10, "min_comparisons_per_essay": 4}


def sample_paths(with_broken: bool = True) -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if with_broken or p.name != BROKEN)


def many_essays(tmp_path: Path, count: int) -> list[Path]:
    """``count`` distinct essays made from the txt samples (distinct texts, distinct jobs)."""
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES.glob("*.txt")]
    folder = tmp_path / "many"
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"essay{i:03d}.txt"
        path.write_text(f"{texts[i % len(texts)]}\n\nEssay number {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


async def run_batch(platform: Platform, paths: list[Path], name: str, *, start: bool = True) -> str:
    batch = await platform.create_batch(
        name, language="auto", expected_essay_count=len(paths), cj=CJ
    )
    await platform.upload(batch["batch_id"], paths)
    await platform.wait_for_essays(batch["batch_id"], len(paths), within=120)
    if start:
        await platform.start_pipeline(batch["batch_id"])
    return str(batch["batch_id"])


async def assert_every_file_accounted(platform: Platform, batch_id: str) -> dict[str, Any]:
    """The invariant: results rows + rejected files = files accepted (the batch's files that
    were not deleted), and the orchestrator's own accounting says the same."""
    results = await platform.results(batch_id)
    files = await platform.files(batch_id)
    rejected = [f for f in files if f["status"] == "rejected"]
    assert len(results["essays"]) + len(rejected) == len(files), (
        f"{len(results['essays'])} results + {len(rejected)} rejected != {len(files)} files"
    )
    assert results["accounting"] == {
        "accepted_files": len(files),
        "results": len(results["essays"]),
        "rejected_files": len(rejected),
        "unaccounted_files": 0,
    }
    return results


def counter_total(metrics: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def jobs_finished(spell_checker: str, count: int) -> None:
    """Until spell_checker has finished ``count`` jobs (its metrics say so)."""
    async with httpx.AsyncClient() as http:
        for _ in range(1500):
            text = (await http.get(f"{spell_checker}/metrics")).text
            if counter_total(text, "spellcheck_jobs_total") >= count:
                return
            await asyncio.sleep(0.02)
    raise AssertionError(f"spell_checker did not finish {count} jobs")


async def snapshot(platform: Platform, batch_id: str) -> dict[str, Any]:
    essays = await platform.essays(batch_id)
    return {
        "results": await platform.results(batch_id),
        "essays": essays,
        "files": await platform.files(batch_id),
        "timelines": {e["essay_id"]: await platform.timeline(e["essay_id"]) for e in essays},
    }


async def test_the_sample_batch_ends_ranked_with_its_broken_file_reported(make_database, tmp_path):
    async with (
        # one stack for the happy path and the restart: starting six services costs seconds
        _stack(make_database, tmp_path) as (stack, platform),
    ):
        batch_id = await run_batch(platform, sample_paths(), "happy path")
        final = await platform.wait_for(batch_id, FINISHED, within=180)
        before = await snapshot(platform, batch_id)
        await assert_every_file_accounted(platform, batch_id)
        metrics = {name: await platform.metrics(name) for name in stack.processes}

        stack.stop()  # every service, cleanly, then all of them again on the same databases
        stack.start()
        after = await snapshot(platform, batch_id)

    assert final["status"] == "completed_with_failures"
    results = before["results"]
    ranked = [r for r in results["essays"] if r["rank"] is not None]
    assert len(ranked) == 11
    assert sorted(r["rank"] for r in ranked) == list(range(1, 12))
    assert all(r["se"] is not None and r["se"] > 0 for r in ranked)
    assert all(r["word_count"] and r["word_count"] > 40 for r in ranked)
    assert results["reliability"] is not None
    broken = [f for f in before["files"] if f["filename"] == BROKEN]
    assert len(broken) == 1 and broken[0]["error_code"] == "corrupt_document"
    rejected = [e for e in before["essays"] if e["status"] == "content_rejected"]
    assert [e["filename"] for e in rejected] == [BROKEN]

    languages = {e["filename"][:2]: set() for e in before["essays"]}
    for essay in before["essays"]:
        if essay["spelling"]:
            languages[essay["filename"][:2]].add(essay["spelling"].get("language"))
    assert languages["en"] == {"en"} and languages["sv"] == {"sv"}

    for essay in before["essays"]:
        events = [e["event"] for e in before["timelines"][essay["essay_id"]]]
        assert len(events) == essay["version"]  # no lost update, nothing missing
        if essay["status"] == "completed":
            assert events[-len(RANKED_TIMELINE) :] == RANKED_TIMELINE

    assert counter_total(metrics["file_service"], "file_uploads_total") >= 12
    assert (
        counter_total(metrics["spell_checker"], "spellcheck_jobs_total", outcome="succeeded") == 11
    )
    assert counter_total(metrics["cj_assessment"], "cj_comparisons_total") >= 11 * 4 / 2
    assert counter_total(metrics["essay_lifecycle"], "essay_transitions_total") > 0
    for name, text in metrics.items():
        assert counter_total(text, "http_requests_total") > 0, name

    # the persistence promise: after a full restart everything is still there, unchanged
    assert after == before


async def test_spell_checker_killed_mid_phase_loses_and_repeats_nothing(make_database, tmp_path):
    paths = many_essays(tmp_path, 30)
    slow = {"spell_checker": {"SPELL_CHECKER_JOB_CONCURRENCY": "1"}}
    async with _stack(make_database, tmp_path, slow) as (stack, platform):
        batch_id = await run_batch(platform, paths, "crash")
        await jobs_finished(stack.url("spell_checker"), 3)
        stack.kill("spell_checker")  # kill -9, mid-phase
        essays = await platform.essays(batch_id)
        unfinished = [e for e in essays if e["status"].startswith("spellcheck")]
        stack.start("spell_checker")
        final = await platform.wait_for(batch_id, FINISHED, within=180)
        done = await snapshot(platform, batch_id)
        await assert_every_file_accounted(platform, batch_id)

    assert unfinished, "the kill came after the phase ended: the test proved nothing"
    assert final["status"] == "completed"
    assert all(e["status"] == "completed" for e in done["essays"])
    for essay in done["essays"]:
        events = [e["event"] for e in done["timelines"][essay["essay_id"]]]
        assert events.count("spellcheck.succeeded") == 1
        assert "spellcheck.failed" not in events
    job_ids = [e["spelling"]["job_id"] for e in done["essays"]]
    assert len(set(job_ids)) == len(paths)  # one job per essay, none run twice over


async def test_callbacks_due_while_essay_lifecycle_is_down_arrive_later(make_database, tmp_path):
    paths = many_essays(tmp_path, 40)
    slow = {"spell_checker": {"SPELL_CHECKER_JOB_CONCURRENCY": "1"}}
    async with _stack(make_database, tmp_path, slow) as (stack, platform):
        batch_id = await run_batch(platform, paths, "outage")
        await jobs_finished(stack.url("spell_checker"), 1)  # the phase is under way
        stack.kill("essay_lifecycle")  # down while the other jobs finish and call back
        await asyncio.sleep(10)
        spell_metrics = await platform.metrics("spell_checker")
        stack.start("essay_lifecycle")
        final = await platform.wait_for(batch_id, FINISHED, within=180)
        done = await platform.essays(batch_id)
        await assert_every_file_accounted(platform, batch_id)
    # callbacks were refused while it was down, and retried from spell_checker's outbox
    assert counter_total(spell_metrics, "outbox_deliveries_total", outcome="retry") > 0
    assert final["status"] == "completed"
    assert [e["status"] for e in done] == ["completed"] * len(paths)


async def test_a_phase_that_failed_for_some_essays_is_retried_and_completes(
    make_database, tmp_path
):
    faulty = {"spell_checker": {"SPELL_CHECKER_FAULT_FAIL_FIRST_RUNS": "3"}}
    apps = {"spell_checker": "services.spell_checker.tests.faults:create_app()"}
    async with _stack(make_database, tmp_path, faulty, apps) as (_, platform):
        batch_id = await run_batch(platform, sample_paths(with_broken=False), "retry")
        first = await platform.wait_for(batch_id, FINISHED, within=180)
        assert first["status"] == "completed_with_failures"
        failed = [e for e in await platform.essays(batch_id) if e["status"] == "spellcheck_failed"]
        assert len(failed) == 3
        for essay in failed:  # the checker's reason is on the essay's timeline
            last = (await platform.timeline(essay["essay_id"]))[-1]
            assert last["event"] == "spellcheck.failed"
            assert "fault injected" in last["details"]["reason"]

        await platform.retry_phase(batch_id, "spellcheck")
        final = await platform.wait_for(batch_id, {"completed"}, within=180)
        results = await platform.results(batch_id)
    assert final["status"] == "completed"
    assert len([r for r in results["essays"] if r["rank"] is not None]) == 11


class _stack:
    """``async with _stack(...) as (stack, platform)``: fresh databases, six processes."""

    def __init__(self, make_database: Any, tmp_path: Path, extra: Any = None, apps: Any = None):
        self._make_database, self._tmp_path, self._extra = make_database, tmp_path, extra
        self._apps = apps
        self._logs = tmp_path / "logs"

    async def __aenter__(self) -> tuple[Any, Platform]:
        self._logs.mkdir(exist_ok=True)
        databases = await fresh_databases(self._make_database)
        self._running = running_stack(databases, self._logs, self._extra, self._apps)
        stack = await asyncio.to_thread(self._running.__enter__)
        gateway = GatewaySettings(database_url=databases["api_gateway"], log_level="WARNING")
        teacher = await ensure_teacher(stack.url("api_gateway"), gateway)
        self._platform = Platform(Endpoints(**stack.urls), api_key=teacher.api_key)
        return stack, self._platform

    async def __aexit__(self, *exc: Any) -> None:
        await self._platform.__aexit__(*exc)
        await asyncio.to_thread(self._running.__exit__, *exc)
        if exc[0] is not None:  # the services' own account of what went wrong
            for log in sorted(self._logs.glob("*.log")):
                print(
                    f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-30:])
                )


# --------------------------------------------------------------------------- the start race

# file_service reads one file at a time and looks for work only every second, so a start
# right after the upload finds files still being processed
SLOW_READING = {
    "file_service": {"FILE_SERVICE_JOB_CONCURRENCY": "1", "FILE_SERVICE_JOB_POLL_SECONDS": "1"}
}


async def start_at_once(platform: Platform, batch_id: str, refusals: list[Any]) -> None:
    await platform.start_pipeline(batch_id, within=120, waiting=refusals.append)


async def test_a_start_right_after_the_upload_covers_every_file(make_database, tmp_path):
    paths = many_essays(tmp_path, 40)
    refusals: list[Any] = []
    async with _stack(make_database, tmp_path, SLOW_READING) as (_, platform):
        for run in range(3):
            batch = await platform.create_batch(
                f"race {run}", language="en", pipeline=["spellcheck"]
            )
            batch_id = batch["batch_id"]
            uploaded = await platform.upload(batch_id, paths)  # one request, 40 files
            assert [f["status"] for f in uploaded] == ["processing"] * 40
            await start_at_once(platform, batch_id, refusals)
            final = await platform.wait_for(batch_id, FINISHED, within=180)
            results = await assert_every_file_accounted(platform, batch_id)
            assert final["status"] == "completed"
            assert len(results["essays"]) == 40
            assert sorted(r["filename"] for r in results["essays"]) == [p.name for p in paths]
            # the batch takes no more files once started
            late = await platform._http.post(
                platform.url("file_service", f"/v1/batches/{batch_id}/files"),
                files=[("files", ("late.txt", paths[0].read_bytes(), "text/plain"))],
            )
            assert late.status_code == 409
    # the start was refused while files were read (409 files_processing), then went through
    assert refusals, "every start found all files read: the race was never run"
    assert all(r["code"] == "files_processing" and r["files"] == 40 for r in refusals)


async def test_a_rejected_and_a_deleted_file_are_accounted_for(make_database, tmp_path):
    paths = [*many_essays(tmp_path, 40), SAMPLES / BROKEN]
    refusals: list[Any] = []
    async with _stack(make_database, tmp_path, SLOW_READING) as (_, platform):
        batch = await platform.create_batch("race, rejected", language="en", cj=CJ)
        batch_id = batch["batch_id"]
        uploaded = await platform.upload(batch_id, paths)
        await platform.delete_file(uploaded[0]["file_id"])  # withdrawn before the start
        await start_at_once(platform, batch_id, refusals)
        final = await platform.wait_for(batch_id, FINISHED, within=240)
        results = await assert_every_file_accounted(platform, batch_id)
        files = await platform.files(batch_id)
    assert final["status"] == "completed_with_failures"  # the broken file
    assert len(files) == 40 and results["accounting"]["accepted_files"] == 40
    assert len(results["essays"]) == 39
    assert [r["rank"] for r in results["essays"]] == list(range(1, 40))
    assert paths[0].name not in {r["filename"] for r in results["essays"]}
    broken = [f for f in files if f["filename"] == BROKEN]
    assert broken[0]["status"] == "rejected" and broken[0]["error_code"] == "corrupt_document"
