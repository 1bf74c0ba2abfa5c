"""essay_lifecycle speed: spellcheck-result callbacks (each one essay transition: a row
compare-and-set, its timeline event, the run's open-essay counter, and for a run's last essay
the outcome's outbox row, in one transaction) through the HTTP API, with 8 connections
against one instance, then against two instances on one database.

    pdm run python -m bench.essay_lifecycle [--batches 32] [--essays 64] [--instances 1 2]

Database time is reported three ways, because each alone misleads:

- the service's ``http_request_db_seconds`` histogram (in-app, per request): under
  concurrency it also counts the time the event loop spends on other requests between a
  statement's send and its result, so it overstates;
- the server's own durations (``log_min_duration_statement = 0`` on the bench database, read
  back from the server log): the time the server spent on the statements of each transition
  transaction, and separately its explicit COMMITs (the WAL flush);
- a probe on its own connection, timing whole transactions (commit included) from the client
  side while the load runs: the transaction shapes the callback runs now and ran before, the
  generic CAS + timeline + outbox transaction, and a bare one-row commit (the disk's floor).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from service_kit.postgres_server import create_database, drop_database, find_test_server, free_port
from service_kit.testing.processes import REPO_ROOT, ServiceProcess, migrate, service_environment
from service_kit.testing.receiver import Receiver, serving
from services.essay_lifecycle.settle_sql import settle_statement

DEBIAN_LOG = "/var/log/postgresql/postgresql-15-main.log"
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


PROBE_SHAPES = ("generic", "callback_before", "callback_now", "commit_only")


async def probe(database_url: str, stop: asyncio.Event) -> tuple[dict[str, list[float]], int]:
    """While the load runs, on its own connection and timed from its client side (so without
    the app's event loop), round robin, one every 5 ms:

    - ``generic``: CAS update, timeline insert, outbox insert, commit (BEGIN … COMMIT);
    - ``callback_before``: the statements the callback ran before the fast path (BEGIN, lock
      and read the essay, read the run, CAS, timeline row, run counter, COMMIT);
    - ``callback_now``: the fast path's one statement (``settle_sql``), its own transaction;
    - ``commit_only``: a one-row insert in its own transaction, the floor any durable
      transaction pays on this disk (the WAL flush).

    Returns the timings by shape and the probe's server process id (left out of the
    server-side figures)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    essay = await connection.fetchrow("SELECT id, version FROM essays WHERE batch_id = 'probe'")
    essay_id, version = essay["id"], essay["version"]
    await connection.execute(
        "INSERT INTO phase_runs (batch_id, phase, attempt, status, essay_count, open_essays,"
        " settings, last_phase, created_at)"
        " VALUES ('probe', 'spellcheck', 1, 'running', 0, 1000000000, '{}', false, now())"
    )
    await connection.execute("CREATE TABLE probe_commits (at timestamptz)")
    settle = settle_statement(("version", "updated_at"))
    timings: dict[str, list[float]] = {shape: [] for shape in PROBE_SHAPES}

    async def generic() -> None:
        async with connection.transaction():
            changed = await connection.execute(
                "UPDATE essays SET version = $2 + 1, updated_at = now() "
                "WHERE id = $1 AND version = $2",
                essay_id,
                version,
            )
            assert changed == "UPDATE 1"
            await connection.execute(
                "INSERT INTO essay_events (essay_id, sequence, event, from_status, to_status,"
                " details, at) VALUES ($1, $2, 'probe', 'ready', 'ready', '{}', now())",
                essay_id,
                version + 1,
            )
            await connection.execute(
                "INSERT INTO outbox (method, url, body, idempotency_key) "
                "VALUES ('POST', 'http://127.0.0.1:1/probe', '{}', $1)",
                f"probe:{version + 1}",
            )

    async def callback_before() -> None:
        async with connection.transaction():
            await connection.fetchrow("SELECT * FROM essays WHERE id = $1 FOR UPDATE", essay_id)
            await connection.fetchrow(
                "SELECT * FROM phase_runs WHERE batch_id = 'probe' AND phase = 'spellcheck'"
                " AND attempt = 1"
            )
            changed = await connection.execute(
                "UPDATE essays SET version = $2 + 1, updated_at = now() "
                "WHERE id = $1 AND version = $2",
                essay_id,
                version,
            )
            assert changed == "UPDATE 1"
            await connection.execute(
                "INSERT INTO essay_events (essay_id, sequence, event, from_status, to_status,"
                " details, at) VALUES ($1, $2, 'probe', 'ready', 'ready', '{}', now())",
                essay_id,
                version + 1,
            )
            await connection.fetchval(
                "UPDATE phase_runs SET open_essays = open_essays - 1 WHERE batch_id = 'probe'"
                " AND phase = 'spellcheck' AND attempt = 1 AND status = 'running'"
                " RETURNING open_essays"
            )

    async def callback_now() -> None:
        stamp = datetime.now(UTC)
        row = await connection.fetchrow(
            settle,
            essay_id,
            version,
            "probe",
            "spellcheck",
            1,
            [version + 1],
            ["probe"],
            ["ready"],
            ["ready"],
            ["{}"],
            [None],
            [stamp],
            version + 1,
            stamp,
        )
        assert row is not None

    async def commit_only() -> None:
        await connection.execute("INSERT INTO probe_commits VALUES (now())")

    shapes = {
        "generic": generic,
        "callback_before": callback_before,
        "callback_now": callback_now,
        "commit_only": commit_only,
    }
    pid = connection.get_server_pid()
    try:
        for shape in itertools.cycle(PROBE_SHAPES):
            if stop.is_set():
                break
            started = time.perf_counter()
            await shapes[shape]()
            timings[shape].append(time.perf_counter() - started)
            if shape != "commit_only":
                version += 1
            await asyncio.sleep(0.005)
    finally:
        await connection.close()
    return timings, pid


LOG_LINE = re.compile(
    r"\[(\d+)\] \S*@(\S+) LOG:  duration: ([\d.]+) ms  (statement|parse|bind|execute)[^:]*: ?(.*)"
)


def server_times(log_path: Path, offset: int, database: str, skip_pid: int) -> dict[str, Any]:
    """The server's own time for the app's statements during the load, from its log
    (``log_min_duration_statement = 0`` on the bench database): per transaction that wrote
    a timeline row, the statements' time (parse, bind, execute, as the server measured them,
    excluding waits for the client between them) and, for explicit transactions, the
    COMMIT's time (mostly the WAL flush; a one-statement transaction commits after its
    logged duration, so its flush is not in these figures: see the probe's commit_only).
    ``total_ms`` is every logged statement but the COMMITs."""
    entries: list[tuple[int, float, str, str]] = []
    with log_path.open(errors="replace") as handle:
        handle.seek(offset)
        for line in handle:
            match = LOG_LINE.search(line)
            if match:
                pid, db, duration, kind, text = match.groups()
                if db == database and int(pid) != skip_pid:
                    entries.append((int(pid), float(duration), kind, text))
            elif line.startswith("\t") and entries:
                pid, duration, kind, text = entries[-1]
                entries[-1] = (pid, duration, kind, text + " " + line.strip())
    open_tx: dict[int, list[tuple[float, str]]] = {}
    # a statement outside BEGIN … COMMIT is its own transaction: parse?, bind, execute
    alone: dict[int, float] = {}
    statements: list[float] = []
    commits: list[float] = []
    total = 0.0
    for pid, duration, kind, text in entries:
        head = text.strip().upper()
        if not head.startswith("COMMIT"):
            total += duration
        if head.startswith("BEGIN"):
            open_tx[pid] = [(duration, text)]
        elif head.startswith(("COMMIT", "ROLLBACK")) and pid in open_tx:
            parts = open_tx.pop(pid)
            if any("essay_events" in t for _, t in parts) and head.startswith("COMMIT"):
                statements.append(sum(d for d, _ in parts))
                commits.append(duration)
        elif pid in open_tx:
            open_tx[pid].append((duration, text))
        else:
            alone[pid] = alone.get(pid, 0.0) + duration
            if kind in {"execute", "statement"}:
                spent = alone.pop(pid)
                if "essay_events" in text:
                    statements.append(spent)  # the fast path's one statement
    return {"statements": sorted(statements), "commits": sorted(commits), "total_ms": total}


def _quantile(values: list[float], q: float) -> float:
    return values[max(0, int(len(values) * q) - 1)] if values else float("nan")


def _log_file(server_log: str | None) -> Path | None:
    path = Path(server_log or DEBIAN_LOG)
    try:
        with path.open():
            return path
    except OSError:
        return None


async def scenario(
    instances: int, batches: int, essays: int, log_path: Path | None
) -> dict[str, Any]:
    server = await find_test_server()
    name = f"bench_els_{instances}"
    await drop_database(server, name)
    database_url = await create_database(server, name)
    if log_path is not None:
        # the server logs every statement's duration, on this database only
        admin = await asyncpg.connect(server.admin_url)
        try:
            await admin.execute(f"ALTER DATABASE {name} SET log_min_duration_statement = 0")
            await admin.execute(f"ALTER DATABASE {name} SET log_parameter_max_length = 0")
        finally:
            await admin.close()
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
            offset = (await asyncio.to_thread(log_path.stat)).st_size if log_path else 0
            stop = asyncio.Event()
            probing = asyncio.create_task(probe(database_url, stop))
            loaders = [
                load(p.url, callbacks[i * share : (i + 1) * share], 8 // instances)
                for i, p in enumerate(processes)
            ]
            figures = [json.loads((await asyncio.to_thread(x.communicate))[0]) for x in loaders]
            stop.set()
            probe_times, probe_pid = await probing
            await asyncio.sleep(1)  # the server's last log lines
            on_server = (
                await asyncio.to_thread(server_times, log_path, offset, name, probe_pid)
                if log_path is not None
                else None
            )
            async with httpx.AsyncClient() as client:
                quantiles = [
                    db_quantiles((await client.get(f"{p.url}/metrics")).text) for p in processes
                ]
    finally:
        for process in processes:
            await asyncio.to_thread(process.stop)
        await drop_database(server, name)
        server.stop()
    return {
        "instances": instances,
        "callbacks": len(callbacks),
        "rps": sum(f["rps"] for f in figures),
        "p50_ms": max(f["p50_ms"] for f in figures),
        "p99_ms": max(f["p99_ms"] for f in figures),
        "statuses": [f["statuses"] for f in figures],
        "in_app_db_p50_ms": max(q[0] for q in quantiles) * 1000,
        "in_app_db_p99_ms": max(q[1] for q in quantiles) * 1000,
        "probe": {
            shape: {
                "n": len(times),
                "p50_ms": statistics.median(times) * 1000,
                "p99_ms": _quantile(sorted(times), 0.99) * 1000,
            }
            for shape, times in probe_times.items()
            if times
        },
        "server": None
        if on_server is None
        else {
            "transitions": len(on_server["statements"]),
            "statements_p50_ms": _quantile(on_server["statements"], 0.5),
            "statements_p99_ms": _quantile(on_server["statements"], 0.99),
            "commits": len(on_server["commits"]),
            "commit_p50_ms": _quantile(on_server["commits"], 0.5),
            "commit_p99_ms": _quantile(on_server["commits"], 0.99),
            "per_callback_ms": on_server["total_ms"] / len(callbacks),
        },
    }


def _print(result: dict[str, Any]) -> None:
    r = result
    print(
        f"{r['instances']} instance(s): {r['callbacks']} callbacks, {r['rps']:.0f}/s, "
        f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, statuses {r['statuses']}; "
        f"in-app DB time p50 <= {r['in_app_db_p50_ms']:.1f} ms, "
        f"p99 <= {r['in_app_db_p99_ms']:.1f} ms"
    )
    for shape, figures in r["probe"].items():
        print(
            f"  probe {shape:16} p50 {figures['p50_ms']:6.2f} ms  p99 {figures['p99_ms']:6.2f} ms"
            f"  (n={figures['n']})"
        )
    server = r["server"]
    if server is not None:
        print(
            f"  server: {server['transitions']} transition transactions, statements p50 "
            f"{server['statements_p50_ms']:.2f} ms p99 {server['statements_p99_ms']:.2f} ms; "
            f"{server['commits']} explicit COMMITs p50 {server['commit_p50_ms']:.2f} ms p99 "
            f"{server['commit_p99_ms']:.2f} ms; all statements but COMMITs per callback "
            f"{server['per_callback_ms']:.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=32)
    parser.add_argument("--essays", type=int, default=64)
    parser.add_argument("--instances", type=int, nargs="*", default=[1, 2])
    parser.add_argument(
        "--server-log",
        help=f"the PostgreSQL server's log file, for server-side times (default {DEBIAN_LOG})",
    )
    parser.add_argument(
        "--no-server-log",
        action="store_true",
        help="skip the server-side figures (they log every statement: ~40 MB per scenario)",
    )
    parser.add_argument("--json", action="store_true", help="also print each result as JSON")
    args = parser.parse_args()
    log_path = None if args.no_server_log else _log_file(args.server_log)
    if log_path is None:
        print("(no server-side figures: skipped, or the server log is not readable)")
    for instances in args.instances:
        result = asyncio.run(scenario(instances, args.batches, args.essays, log_path))
        _print(result)
        if args.json:
            print(json.dumps(result))


if __name__ == "__main__":
    main()
