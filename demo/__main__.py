"""`make demo`: the sample batch through the running platform, by its public APIs only.

Start the platform first (`make run` in another terminal), then `make demo`. It talks only to
the api_gateway (port 8000) with the development teacher's API key that `make run` prints and
keeps in .devstack/dev_teacher.json (or `--api-key`, or DEMO_API_KEY). It creates a batch,
uploads samples/batch/ (English and Swedish essays as txt, docx and pdf, and one broken file),
starts the pipeline, shows progress, and prints the results table and the reliability.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from demo.client import FINISHED, Endpoints, Platform, PlatformError

ROOT = Path(__file__).resolve().parents[1]
DEV_TEACHER = ROOT / ".devstack" / "dev_teacher.json"
SAMPLES = ROOT / "samples" / "batch"
ANCHORS = Path(__file__).resolve().parents[1] / "samples" / "anchors"
GRADE_SCALE = ["E", "C", "A"]


def anchors() -> list[dict[str, str]]:
    """Essays of known grade (samples/anchors/<grade>_<topic>.txt), judged with the batch so
    that cj_assessment can project a grade for every essay."""
    return [
        {"grade": path.name.split("_", 1)[0], "text": path.read_text(encoding="utf-8")}
        for path in sorted(ANCHORS.glob("*.txt"))
    ]


def _progress_printer() -> Any:
    last: list[str] = []

    def show(batch: dict[str, Any]) -> None:
        essays = batch.get("essays") or {}
        phases = ", ".join(f"{p['phase']} #{p['attempt']} {p['status']}" for p in batch["phases"])
        line = (
            f"  {batch['status']:<24} essays by status: {essays.get('by_status', {})}"
            f"  done {essays.get('completion_percent', 0):.0f}%  [{phases}]"
        )
        if not last or last[-1] != line:
            print(line, flush=True)
            last.append(line)

    return show


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def print_results(results: dict[str, Any], files: list[dict[str, Any]]) -> None:
    print(f"\nResults for batch {results['batch_id']}: {results['status']}")
    header = f"{'rank':>4}  {'grade':<5}  {'score ± SE':<14}  {'err/100w':>8}  file"
    print(header)
    print("-" * len(header))
    for row in results["essays"]:
        if row["rank"] is None:
            continue
        score = f"{row['score']:+.2f} ± {row['se']:.2f}" if row["score"] is not None else "-"
        print(
            f"{row['rank']:>4}  {_cell(row['grade']):<5}  {score:<14}  "
            f"{_cell(row['errors_per_100_words']):>8}  {row['filename']}"
        )
    rejected = [f for f in files if f.get("error_code")]
    if rejected:
        print("\nRejected files:")
        for f in rejected:
            print(f"  {f['filename']}: {f['error_code']} ({f.get('error_message') or ''})")
    for row in results["essays"]:
        if row["rank"] is not None or row["status"] == "content_rejected":
            continue
        print(f"  not ranked: {row['filename']} ({row['status']})")
    reliability = results.get("reliability")
    print(
        f"\nScale reliability: {_cell(reliability)} from {_cell(results.get('comparisons'))} "
        "comparisons (baseline judge: a demonstration, not a teacher's judgement)"
    )


def api_key(given: str | None) -> str | None:
    """--api-key, DEMO_API_KEY, or the development teacher `make run` made."""
    if given or os.environ.get("DEMO_API_KEY"):
        return given or os.environ["DEMO_API_KEY"]
    try:
        return str(json.loads(DEV_TEACHER.read_text())["api_key"])
    except (OSError, ValueError, KeyError):
        return None


async def run(endpoints: Endpoints, judge: str, within: float, key: str) -> int:
    paths = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    async with Platform(endpoints, api_key=key) as platform:
        readiness = await platform.ready()
        if not all(readiness.values()):
            down = ", ".join(name for name, ok in readiness.items() if not ok)
            print(f"These services are not ready: {down}. Is `make run` going?", file=sys.stderr)
            return 1
        batch = await platform.create_batch(
            "Demo: school topics",
            language="auto",
            expected_essay_count=len(paths),
            cj={
                "judge": judge,
                "max_comparisons_per_essay": 12,
                "min_comparisons_per_essay": 5,
                "anchors": anchors(),
                "grade_scale": GRADE_SCALE,
            },
        )
        batch_id = batch["batch_id"]
        print(f"Created batch {batch_id}; uploading {len(paths)} files from {SAMPLES}")
        for f in await platform.upload(batch_id, paths):
            note = f" → {f['error_code']}" if f.get("error_code") else ""
            print(f"  {f['filename']}: {f['status']}{note}")
        print("Starting the pipeline (spellcheck → cj_assessment)")
        await platform.start_pipeline(
            batch_id,
            within=within,
            waiting=lambda problem: print(
                f"  waiting: {problem.get('files_processing')} of {problem.get('files')} "
                "files are still being processed"
            ),
        )
        final = await platform.wait_for(
            batch_id, FINISHED, within=within, progress=_progress_printer(), interval=0.5
        )
        print_results(await platform.results(batch_id), await platform.files(batch_id))
        return 0 if final["status"] in {"completed", "completed_with_failures"} else 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--judge", default="baseline", choices=["baseline", "llm"])
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--api-key", default=None, help="default: the development teacher's")
    args = parser.parse_args()
    key = api_key(args.api_key)
    if key is None:
        print(
            f"No API key: start `make run` (it makes the development teacher and keeps its key "
            f"in {DEV_TEACHER}), or pass --api-key.",
            file=sys.stderr,
        )
        sys.exit(1)
    try:
        sys.exit(asyncio.run(run(Endpoints.local(args.host), args.judge, args.timeout, key)))
    except PlatformError as error:
        print(f"demo stopped: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
