"""essay_lifecycle speed: spellcheck-result callbacks (each one essay transition: a row
compare-and-set, its timeline event, and for a run's last essay the outcome's outbox row,
in one transaction) through the HTTP API, with 8 connections against one instance, then
against two instances on one database.

    pdm run python -m bench.essay_lifecycle [--batches 32] [--essays 64]

Database time per request comes from the service's own ``http_request_db_seconds``
histogram (the sum of its statements' times), read from /metrics after each load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from service_kit.postgres_server import create_database, drop_database, find_test_server, free_port
from service_kit.testing.processes import REPO_ROOT, ServiceProcess, migrate, service_environment
from service_kit.testing.receiver import Receiver, serving

ROUTE = "/internal/v1/essays/<uuid:essay_id>/spellcheck-result"


async def prepare(url: str, spell: Receiver, batches: int, essays: int) -> list[dict]:
    """Register batches, announce essays, start spellcheck; return one callback per essay."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(batches):
            batch_id = uuid.uuid4().hex
            await client.post(
                "/internal/v1/batches",
                json={"batch_id": batch_id, "language": "en", "callback_url": spell.url},
            )
            for i in range(essays):
                await client.post(
                    f"/internal/v1/batches/{batch_id}/essays",
                    json={"file_id": f"f{i}", "filename": f"e{i}.txt", "text_content_id": "a" * 64},
                )
            await client.post(f"/internal/v1/batches/{batch_id}/phases/spellcheck", json={})
        # the probe's own essay, outside every batch under load
        await client.post(
            "/internal/v1/batches/probe/essays",
            json={"file_id": "probe", "filename": "probe.txt", "text_content_id": "a" * 64},
        )
    await spell.wait_for(batches * essays, timeout=300)
    by_batch: dict[str, list[dict]] = {}
    seen: set[str | None] = set()
    for job in spell.received:
        if job.path != "/v1/jobs" or job.idempotency_key in seen:
            continue  # delivery is at least once: a job may arrive twice
        seen.add(job.idempotency_key)
        callbacks = by_batch.setdefault(job.body["batch_id"], [])
        path = job.body["callback_url"].split("//", 1)[1].split("/", 1)[1]
        callbacks.append(
            {
                "method": "POST",
                "path": "/" + path,
                "body": {
                    "status": "succeeded",
                    "corrected_text_content_id": "b" * 64,
                    "word_count": 300,
                    "error_count": 4,
                    "errors_per_100_words": 1.33,
                },
            }
        )
    # results of many batches arrive interleaved, as from a checker working on all of them
    rounds = zip(*by_batch.values(), strict=False)
    return [callback for round_ in rounds for callback in round_]


def db_quantiles(metrics_text: str) -> tuple[float, float]:
    """Per-request database time at p50 and p99, each as the upper bound of its bucket."""
    buckets = []
    for line in metrics_text.splitlines():
        if line.startswith("http_request_db_seconds_bucket") and f'route="{ROUTE}"' in line:
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append(
                (float("inf") if bound == "+Inf" else float(bound), float(line.rsplit(" ", 1)[1]))
            )
    buckets.sort()
    total = buckets[-1][1]

    def quantile(q: float) -> float:
        return next(bound for bound, count in buckets if count >= q * total)

    return quantile(0.5), quantile(0.99)


def load(url: str, requests: list[dict], connections: int) -> subprocess.Popen[str]:
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)  # noqa: SIM115
    handle.write("\n".join(json.dumps(r) for r in requests))
    handle.close()
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--url",
            url,
            "--path",
            "/",
            "--connections",
            str(connections),
            "--duration",
            "600",
            "--requests-file",
            handle.name,
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


async def probe(database_url: str, stop: asyncio.Event) -> list[float]:
    """While the load runs: the transaction a transition is (the essay row's compare-and-set,
    its timeline row and an outbox row), on its own connection, timed from the database
    client's side. The app's own per-request figure also counts time its event loop spends
    on the other requests it serves meanwhile; this one does not."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    essay = await connection.fetchrow("SELECT id, version FROM essays WHERE batch_id = 'probe'")
    essay_id, version = essay["id"], essay["version"]
    timings: list[float] = []
    try:
        while not stop.is_set():
            started = time.perf_counter()
            async with connection.transaction():
                changed = await connection.execute(
                    "UPDATE essays SET version = $2 + 1, updated_at = now() "
                    "WHERE id = $1 AND version = $2",
                    essay_id,
                    version,
                )
                assert changed == "UPDATE 1"
                version += 1
                await connection.execute(
                    "INSERT INTO essay_events (essay_id, sequence, event, from_status, to_status,"
                    " details, at) VALUES ($1, $2, 'probe', 'ready', 'ready', '{}', now())",
                    essay_id,
                    version,
                )
                await connection.execute(
                    "INSERT INTO outbox (method, url, body, idempotency_key) "
                    "VALUES ('POST', 'http://127.0.0.1:1/probe', '{}', $1)",
                    f"probe:{version}",
                )
            timings.append(time.perf_counter() - started)
            await asyncio.sleep(0.005)
    finally:
        await connection.close()
    return timings


async def scenario(instances: int, batches: int, essays: int) -> None:
    server = await find_test_server()
    name = f"bench_els_{instances}"
    await drop_database(server, name)
    database_url = await create_database(server, name)
    logs = Path(tempfile.mkdtemp())
    processes: list[ServiceProcess] = []
    try:
        async with serving(Receiver()) as spell:
            env = service_environment(
                "essay_lifecycle",
                database_url,
                SPELL_CHECKER_URL=spell.url,
                ESSAY_LIFECYCLE_URL="http://127.0.0.1:1",
            )
            await asyncio.to_thread(migrate, "essay_lifecycle", env)
            for i in range(instances):
                process = ServiceProcess("essay_lifecycle", free_port(), env, logs / f"els{i}.log")
                await asyncio.to_thread(process.start)
                processes.append(process)
            callbacks = await prepare(processes[0].url, spell, batches, essays)
            share = len(callbacks) // instances
            stop = asyncio.Event()
            probing = asyncio.create_task(probe(database_url, stop))
            loaders = [
                load(p.url, callbacks[i * share : (i + 1) * share], 8 // instances)
                for i, p in enumerate(processes)
            ]
            figures = [json.loads((await asyncio.to_thread(x.communicate))[0]) for x in loaders]
            stop.set()
            probe_times = sorted(await probing)
            async with httpx.AsyncClient() as client:
                quantiles = [
                    db_quantiles((await client.get(f"{p.url}/metrics")).text) for p in processes
                ]
    finally:
        for process in processes:
            await asyncio.to_thread(process.stop)
        await drop_database(server, name)
        server.stop()
    rps = sum(f["rps"] for f in figures)
    print(
        f"| {instances} instance(s) | {len(callbacks)} | {rps:.0f} | "
        f"{max(f['p50_ms'] for f in figures):.1f} | {max(f['p99_ms'] for f in figures):.1f} | "
        f"≤ {max(q[0] for q in quantiles) * 1000:.1f} | "
        f"≤ {max(q[1] for q in quantiles) * 1000:.1f} | "
        f"{statistics.median(probe_times) * 1000:.2f} | "
        f"{probe_times[int(len(probe_times) * 0.99) - 1] * 1000:.2f} ({len(probe_times)}) | "
        f"{[f['statuses'] for f in figures]} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=32)
    parser.add_argument("--essays", type=int, default=64)
    args = parser.parse_args()
    print(
        "| setup | transitions | per s | p50 ms | p99 ms | in-app DB time p50 ms "
        "| in-app DB time p99 ms | probe transaction p50 ms | probe p99 ms (n) | statuses |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for instances in (1, 2):
        asyncio.run(scenario(instances, args.batches, args.essays))


if __name__ == "__main__":
    main()
