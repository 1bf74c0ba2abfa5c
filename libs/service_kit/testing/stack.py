"""All six services and the api_gateway in front of them as real hypercorn processes on free
loopback ports, each migrated into its own database, wired to each other by URL exactly as
`make run` and compose wire them.

Used by the end-to-end tests (tests/e2e) and the pipeline benchmark (bench/pipeline.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from service_kit.postgres_server import free_port
from service_kit.testing.processes import REPO_ROOT, ServiceProcess, service_environment

# Started in this order: each one's peers first (compose's depends_on says the same).
SERVICES = (
    "content_service",
    "file_service",
    "essay_lifecycle",
    "spell_checker",
    "cj_assessment",
    "batch_orchestrator",
    "api_gateway",  # last: the front door, in front of the six
)
# the gateway's limits are tested on their own; a test polling a batch must not meet them
GATEWAY = {"API_GATEWAY_RATE_LIMITS_ENABLED": "false"}


def _quick(name: str) -> dict[str, str]:
    """Polls and backoff short enough that a test waits seconds, not minutes."""
    prefix = name.upper()
    return {
        f"{prefix}_OUTBOX_POLL_SECONDS": "0.5",
        f"{prefix}_OUTBOX_BACKOFF_BASE_SECONDS": "0.2",
        f"{prefix}_OUTBOX_BACKOFF_MAX_SECONDS": "2",
        f"{prefix}_OUTBOX_MAX_ATTEMPTS": "40",
        f"{prefix}_JOB_POLL_SECONDS": "0.5",
        f"{prefix}_JOB_LEASE_SECONDS": "4",
        f"{prefix}_JOB_RETRY_BASE_SECONDS": "0.2",
    }


class Stack:
    def __init__(
        self,
        databases: dict[str, str],
        logs: Path,
        extra: dict[str, dict[str, str]],
        apps: dict[str, str] | None = None,
    ):
        self.ports = {name: free_port() for name in SERVICES}
        peers = {f"{name.upper()}_URL": self.url(name) for name in SERVICES}
        self.processes = {
            name: ServiceProcess(
                name,
                self.ports[name],
                service_environment(
                    name,
                    databases[name],
                    **{
                        **peers,
                        **_quick(name),
                        **(GATEWAY if name == "api_gateway" else {}),
                        **extra.get(name, {}),
                    },
                ),
                logs / f"{name}.log",
                app=(apps or {}).get(name),
            )
            for name in SERVICES
        }
        self.urls = {name: self.url(name) for name in SERVICES}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def migrate(self) -> None:
        for name, process in self.processes.items():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "alembic",
                    "-c",
                    f"services/{name}/alembic.ini",
                    "upgrade",
                    "head",
                ],
                cwd=REPO_ROOT,
                env=process.env,
                check=True,
                capture_output=True,
            )

    def start(self, *names: str) -> None:
        for name in names or SERVICES:
            self.processes[name].start(wait=False)
        for name in names or SERVICES:
            self.processes[name].wait_ready(timeout=60)

    def stop(self, *names: str) -> None:
        for name in reversed(names or SERVICES):
            self.processes[name].stop()

    def kill(self, name: str) -> None:
        self.processes[name].kill()


@contextmanager
def running_stack(
    databases: dict[str, str],
    logs: Path,
    extra: dict[str, dict[str, str]] | None = None,
    apps: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """``apps``: a service's app factory to start instead of its own (a test one)."""
    stack = Stack(databases, logs, extra or {}, apps)
    stack.migrate()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


async def fresh_databases(make_database: Callable[[str], Awaitable[str]]) -> dict[str, str]:
    urls = await asyncio.gather(*(make_database(f"e2e_{name[:6]}") for name in SERVICES))
    return dict(zip(SERVICES, urls, strict=True))
