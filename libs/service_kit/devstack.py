"""``make run``: one PostgreSQL under .devstack/, one database per service, every service up.

    python -m service_kit.devstack run      # start, wait for /readyz, print URLs; Ctrl-C stops
    python -m service_kit.devstack migrate  # only make sure the databases exist and are at head

PostgreSQL, in order: DEVSTACK_DATABASE_URL (a server you own); a cluster this script keeps
in .devstack/postgres (made with initdb on first use, so data survives restarts); a server on
127.0.0.1:5432. Every service is started the one documented way: its database URL in
``<NAME>_DATABASE_URL``, peers in ``<NAME>_URL``, ``alembic upgrade head``, then hypercorn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service_kit.checkout import pythonpath_for
from service_kit.postgres_server import (
    INSTALL_HINT,
    NoPostgres,
    PostgresServer,
    _local_server,
    _pg_binary,
    can_connect,
    create_database,
    start_cluster,
)

ROOT = Path(__file__).resolve().parents[2]
DEVSTACK = ROOT / ".devstack"
CLUSTER_PORT = 5439
PORTS = {
    "api_gateway": 8000,  # the front door: the one port a client needs
    "batch_orchestrator": 8001,
    "essay_lifecycle": 8002,
    "spell_checker": 8003,
    "cj_assessment": 8004,
    "file_service": 8005,
    "content_service": 8006,
}


def available_services() -> list[str]:
    return [name for name in PORTS if (ROOT / "services" / name / "app.py").exists()]


async def find_dev_server() -> PostgresServer:
    explicit = os.environ.get("DEVSTACK_DATABASE_URL")
    if explicit:
        url = explicit.replace("postgresql+asyncpg://", "postgresql://")
        if not await can_connect(url):
            raise NoPostgres(f"DEVSTACK_DATABASE_URL is set but {url!r} does not answer")
        return PostgresServer(url, "DEVSTACK_DATABASE_URL")
    if _pg_binary("initdb") and _pg_binary("pg_ctl"):
        url = f"postgresql://postgres@127.0.0.1:{CLUSTER_PORT}/postgres"
        if await can_connect(url):  # still running from an earlier `make run`
            return PostgresServer(url, "cluster in .devstack (already running)")
        return await asyncio.to_thread(
            start_cluster, DEVSTACK / "postgres" / "data", CLUSTER_PORT, keep=True
        )
    server = await _local_server()
    if server:
        return server
    raise NoPostgres(INSTALL_HINT)


def service_env(server: PostgresServer, services: list[str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(pythonpath_for(ROOT))  # nothing when the venv installs this checkout
    # only peers that exist: an orchestrator URL, say, makes file_service ask it first
    for name in available_services():
        env.setdefault(f"{name.upper()}_URL", f"http://127.0.0.1:{PORTS[name]}")
    for name in services:
        env[f"{name.upper()}_DATABASE_URL"] = server.database_url(name)
    return env


async def prepare(services: list[str]) -> tuple[PostgresServer, dict[str, str]]:
    server = await find_dev_server()
    print(f"PostgreSQL: {server.origin}", flush=True)
    for name in services:
        await create_database(server, name, exist_ok=True)
    env = service_env(server, services)
    for name in services:
        await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "alembic",
                "-c",
                f"services/{name}/alembic.ini",
                "upgrade",
                "head",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"  {name}: database migrated", flush=True)
    return server, env


def start(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(DEVSTACK / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the child
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hypercorn",
            "--bind",
            f"127.0.0.1:{PORTS[name]}",
            f"services.{name}.app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_ready(names: list[str], children: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    pending = set(names)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            if children[name].poll() is not None:
                raise SystemExit(f"{name} exited; see .devstack/{name}.log")
            try:
                if httpx.get(f"http://127.0.0.1:{PORTS[name]}/readyz", timeout=1).is_success:
                    pending.discard(name)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    if pending:
        raise SystemExit(f"not ready after 60 s: {', '.join(sorted(pending))}; see .devstack/")


def development_teacher(env: dict[str, str]) -> None:
    """In the development profile, the teacher to try the platform with (kept in .devstack)."""
    if env.get("API_GATEWAY_PROFILE", "development") != "development":
        return
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.api_gateway.devuser",
            "--base-url",
            f"http://127.0.0.1:{PORTS['api_gateway']}",
            "--state",
            str(DEVSTACK / "dev_teacher.json"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        print(f"no development teacher: {made.stderr.strip()[-500:]}", flush=True)
        return
    teacher = json.loads(made.stdout.strip().splitlines()[-1])
    print("\nDevelopment teacher (also in .devstack/dev_teacher.json; `make demo` uses it):")
    print(f"  email     {teacher['email']}")
    print(f"  password  {teacher['password']}")
    print(f"  API key   {teacher['api_key']}   (Authorization: Bearer <key>)", flush=True)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def run(services: list[str]) -> None:
    # Ctrl-C and SIGTERM both stop everything, even when started with SIGINT ignored (`&`)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    DEVSTACK.mkdir(exist_ok=True)
    server, env = asyncio.run(prepare(services))
    children = {name: start(name, env) for name in services}
    try:
        wait_ready(services, children)
        print("\nAll services ready (logs in .devstack/<name>.log):", flush=True)
        for name in services:
            url = f"http://127.0.0.1:{PORTS[name]}"
            print(f"  {name:<20} {url}   docs: {url}/docs", flush=True)
        if "api_gateway" in services:
            print("Clients use the gateway (port 8000); the services behind it are internal.")
            development_teacher(env)
        print("\nCtrl-C stops everything.", flush=True)
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        dead = [name for name, child in children.items() if child.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(dead)}; see .devstack/", flush=True)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", choices=["run", "migrate"])
    parser.add_argument("services", nargs="*", help="default: every service that exists")
    args = parser.parse_args()
    services = args.services or available_services()
    try:
        if args.command == "migrate":
            asyncio.run(prepare(services))[0].stop()
        else:
            run(services)
    except NoPostgres as exc:
        raise SystemExit(str(exc)) from exc


if __name__ == "__main__":
    main()
