"""Services as real hypercorn processes on loopback, started the one documented way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from service_kit.checkout import pythonpath_for
from service_kit.postgres_server import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    app: str | None = None  # another app factory (a test one); else the service's own

    @property
    def app_path(self) -> str:
        return self.app or f"services.{self.name}.app:create_app()"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: bool = True, workers: int = 1) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed when the child is reaped
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hypercorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                self.app_path,
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: hypercorn's workers are children
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"{self.name} not ready in {timeout}s: {self.log_path.read_text()[-3000:]}"
        )

    def stop(self) -> None:
        """A clean stop (SIGTERM), as an operator would."""
        if self.process and self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()

    def kill(self) -> None:
        """kill -9: the crash the reliability rules are written for."""
        if self.process and self.process.poll() is None:
            self._signal_group(signal.SIGKILL)  # the parent and the worker serving the app
            self.process.wait()

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


def service_environment(name: str, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        **pythonpath_for(REPO_ROOT),  # the install covers it unless this is another checkout
        f"{name.upper()}_DATABASE_URL": database_url,
        f"{name.upper()}_LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def migrate(name: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", f"services/{name}/alembic.ini", "upgrade", "head"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@contextmanager
def running_service(
    name: str,
    database_url: str,
    log_dir: Path,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[ServiceProcess]:
    env = service_environment(name, database_url, **(env or {}))
    migrate(name, env)
    service = ServiceProcess(name, port or free_port(), env, log_dir / f"{name}.log")
    service.start()
    try:
        yield service
    finally:
        service.stop()
