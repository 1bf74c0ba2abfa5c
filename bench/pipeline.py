"""Essays per second through the whole pipeline: upload → extraction → spellcheck → CJ
(baseline judge) → results, with all six services and the api_gateway in front of them as
real processes on one machine (every call goes through the gateway, as a teacher's would).

    pdm run python -m bench.pipeline            # batches of 10, 100 and 1,000 essays
    pdm run python -m bench.pipeline --sizes 10 100

Each size runs on fresh databases. Figures: wall time from the first upload to the batch's
final status, split at the pipeline start, essays per second, time per essay, and the CJ
comparisons made (the part of the work that grows faster than the batch: with a fixed number
of comparisons per essay it grows linearly, and each refit grows with the batch too).

Capacity: the CPU seconds each service spent on the batch (user + system of its hypercorn
process group — the parent and its worker — from /proc/<pid>/stat, read before the first
upload and after the final status), per essay, and so how many essays one core of that
service handles per hour; "postgres" is the CPU of the database backends connected to the
bench's databases at the end (backends that closed earlier are missed: a lower bound).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from demo.client import FINISHED, Endpoints, Platform
from service_kit.postgres_server import create_database, drop_database, find_test_server
from service_kit.testing.processes import REPO_ROOT
from service_kit.testing.stack import SERVICES, Stack
from services.api_gateway.config import Settings as GatewaySettings
from services.api_gateway.devuser import ensure_teacher

CJ = {"judge": "baseline", "max_comparisons_per_essay": 10, "min_comparisons_per_essay": 5}
UPLOAD_CHUNK = 100


def essays(folder: Path, count: int) -> list[Path]:
    texts = [p.read_text(encoding="utf-8") for p in (REPO_ROOT / "samples" / "sources").glob("*")]
    paths = []
    for i in range(count):
        path = folder / f"essay{i:05d}.txt"
        path.write_text(f"{texts[i % len(texts)]}\n\nEssay {i} of {count}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def _ticks(stat: str) -> tuple[int, int]:
    """(process group, user + system ticks of the process and its reaped children)."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[2]), sum(int(f) for f in fields[11:15])


def cpu_seconds(groups: set[int], pids: set[int] | None = None) -> dict[int, float]:
    """CPU seconds so far per process group (or, with ``pids``, per process)."""
    totals: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                group, ticks = _ticks(stat.read())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        key = int(entry) if pids is not None else group
        if key in (pids if pids is not None else groups):
            totals[key] = totals.get(key, 0.0) + ticks / tick
    return totals


async def backend_pids(urls: dict[str, str]) -> set[int]:
    import asyncpg  # the services' driver

    found: set[int] = set()
    first = next(iter(urls.values())).replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(first)
    try:
        names = [url.rsplit("/", 1)[1] for url in urls.values()]
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[]) "
            "AND pid <> pg_backend_pid()",
            names,
        )
        found = {int(r["pid"]) for r in rows}
    finally:
        await connection.close()
    return found


CpuMeter = Callable[[], Awaitable[dict[str, float]]]


async def one_batch(
    platform: Platform, paths: list[Path], cpu: CpuMeter | None = None
) -> dict[str, Any]:
    before = await cpu() if cpu else {}
    started = time.perf_counter()
    batch = await platform.create_batch(
        f"bench {len(paths)}", language="auto", expected_essay_count=len(paths), cj=CJ
    )
    batch_id = batch["batch_id"]
    for i in range(0, len(paths), UPLOAD_CHUNK):
        await platform.upload(batch_id, paths[i : i + UPLOAD_CHUNK])
    await platform.wait_for_essays(batch_id, len(paths), within=1800)
    uploaded = time.perf_counter()
    await platform.start_pipeline(batch_id)
    final = await platform.wait_for(batch_id, FINISHED, within=3600, interval=0.1)
    finished = time.perf_counter()
    after = await cpu() if cpu else {}
    results = await platform.results(batch_id)
    return {
        "cpu_s": {name: after[name] - before.get(name, 0.0) for name in after},
        "essays": len(paths),
        "status": final["status"],
        "ingest_s": uploaded - started,
        "pipeline_s": finished - uploaded,
        "total_s": finished - started,
        "comparisons": results.get("comparisons"),
        "reliability": results.get("reliability"),
        "ranked": sum(1 for r in results["essays"] if r["rank"] is not None),
    }


async def databases(server: Any) -> dict[str, str]:
    urls = {}
    for name in SERVICES:
        await drop_database(server, f"bench_pipe_{name}")
        urls[name] = await create_database(server, f"bench_pipe_{name}")
    return urls


READY_SECONDS = 300  # spell_checker loads its dictionaries: minutes on a busy machine


@contextmanager
def started_stack(
    urls: dict[str, str], folder: Path, extra: dict[str, dict[str, str]]
) -> Iterator[Stack]:
    """``running_stack``, waiting up to READY_SECONDS for each service (not 60 s)."""
    stack = Stack(urls, folder, extra)
    stack.migrate()
    try:
        for process in stack.processes.values():
            process.start(wait=False)
        for process in stack.processes.values():
            process.wait_ready(timeout=READY_SECONDS)
        yield stack
    finally:
        stack.stop()


def run_size(count: int) -> dict[str, Any]:
    server = asyncio.run(find_test_server())
    try:
        urls = asyncio.run(databases(server))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            paths = essays(folder, count)
            quiet = {name: {f"{name.upper()}_LOG_LEVEL": "WARNING"} for name in SERVICES}
            with started_stack(urls, folder, quiet) as stack:
                groups = {
                    name: process.process.pid
                    for name, process in stack.processes.items()
                    if process.process is not None
                }

                first_seen: dict[int, float] = {}  # backend pid -> CPU at the first reading

                async def cpu() -> dict[str, float]:
                    spent = cpu_seconds(set(groups.values()))
                    figures = {name: spent.get(pid, 0.0) for name, pid in groups.items()}
                    backends = cpu_seconds(set(), await backend_pids(urls))
                    if not first_seen:
                        first_seen.update(backends)
                        first_seen[-1] = 0.0  # read once
                    figures["postgres"] = sum(
                        seconds - first_seen.get(pid, 0.0) for pid, seconds in backends.items()
                    )
                    return figures

                async def drive() -> dict[str, Any]:
                    gateway = GatewaySettings(database_url=urls["api_gateway"])
                    teacher = await ensure_teacher(stack.url("api_gateway"), gateway)
                    endpoints = Endpoints(**stack.urls)
                    async with Platform(endpoints, api_key=teacher.api_key) as platform:
                        return await one_batch(platform, paths, cpu)

                return asyncio.run(drive())
    finally:
        for name in SERVICES:
            asyncio.run(drop_database(server, f"bench_pipe_{name}"))
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    rows = [run_size(n) for n in args.sizes]
    print(
        f"\n{'essays':>6} {'status':<24} {'ingest s':>9} {'pipeline s':>10} {'total s':>8} "
        f"{'essays/s':>8} {'ms/essay':>9} {'comparisons':>11} {'cmp/essay':>9} {'reliab.':>7}"
    )
    for r in rows:
        per_essay = 1000 * r["total_s"] / r["essays"]
        comparisons = r["comparisons"] or 0
        print(
            f"{r['essays']:>6} {r['status']:<24} {r['ingest_s']:>9.1f} {r['pipeline_s']:>10.1f} "
            f"{r['total_s']:>8.1f} {r['essays'] / r['total_s']:>8.1f} {per_essay:>9.0f} "
            f"{comparisons:>11} {comparisons / r['essays']:>9.1f} {r['reliability'] or 0:>7.2f}"
        )
    print("\nCPU per service (s in all; ms per essay; essays per core-hour):")
    for r in rows:
        cells = []
        for name, seconds in sorted(r["cpu_s"].items()):
            per_essay = seconds / r["essays"]
            hourly = 3600 / per_essay if per_essay > 0 else float("inf")
            cells.append(f"{name} {seconds:.1f} s / {1000 * per_essay:.1f} ms / {hourly:,.0f}")
        print(f"{r['essays']:>6}: " + "; ".join(cells))
    hundred = [r for r in rows if r["essays"] == 100]
    if hundred:
        verdict = "met" if hundred[0]["total_s"] < 60 else "NOT met"
        print(
            f"\ntarget: a 100-essay batch in under 60 s: {hundred[0]['total_s']:.1f} s, {verdict}"
        )


if __name__ == "__main__":
    main()
