"""Bench harness: a service under hypercorn, loaded from a second process on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service_kit.postgres_server import create_database, drop_database, find_test_server
from service_kit.testing.processes import REPO_ROOT, ServiceProcess, running_service


@contextmanager
def service_under_test(name: str, env: dict[str, str] | None = None) -> Iterator[ServiceProcess]:
    """A fresh database on whatever PostgreSQL the test fixture would use, and the service."""
    server = asyncio.run(find_test_server())
    database = f"bench_{name}"
    asyncio.run(drop_database(server, database))
    url = asyncio.run(create_database(server, database))
    try:
        with (
            tempfile.TemporaryDirectory() as scratch,
            # BENCH_LOGS=<folder> keeps the service's log there (to read after a failure)
            running_service(
                name, url, Path(os.environ.get("BENCH_LOGS", scratch)), env=env
            ) as service,
        ):
            yield service
    finally:
        asyncio.run(drop_database(server, database))
        server.stop()


def load(
    url: str, path: str, *, connections: int = 8, duration: float = 10.0, **extra: object
) -> dict:
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--path",
        path,
        "--connections",
        str(connections),
        "--duration",
        str(duration),
    ]
    for key, value in extra.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{done.stderr}")
    return dict(json.loads(done.stdout))


def row(label: str, figures: dict) -> str:
    return (
        f"| {label} | {figures['rps']:.0f} | {figures['p50_ms']:.2f} | {figures['p99_ms']:.2f} "
        f"| {figures['requests']} | {figures['statuses']} |"
    )


TABLE_HEAD = "| load | req/s | p50 ms | p99 ms | requests | statuses |\n|---|---|---|---|---|---|"
