"""Find or start a PostgreSQL server, in the order ARCHITECTURE.md §7 names.

Used by the pytest plugin (throwaway cluster) and by ``make run`` (a cluster kept under
``.devstack/``). Order: an explicit URL; a server on 127.0.0.1:5432; a Docker container
through testcontainers when a daemon answers; a local cluster made with initdb/pg_ctl (run
as the ``postgres`` user through runuser when we are root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

INSTALL_HINT = (
    "No PostgreSQL could be found or started. Set TEST_DATABASE_URL to a server you own, "
    "start one on 127.0.0.1:5432, run a Docker daemon, or install the server binaries "
    "(Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@15)."
)


class NoPostgres(RuntimeError):
    pass


@dataclass
class PostgresServer:
    """A server we can create databases on. ``admin_url`` is a plain libpq URL."""

    admin_url: str
    origin: str
    stop: Callable[[], None] = field(default=lambda: None)

    def database_url(self, name: str) -> str:
        base = self.admin_url.rsplit("/", 1)[0]
        return f"postgresql+asyncpg://{base.split('://', 1)[1]}/{name}"


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def can_connect(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def _local_server(host: str = "127.0.0.1", port: int = 5432) -> PostgresServer | None:
    if not _port_open(host, port):
        return None
    users = ["postgres", os.environ.get("USER") or "", "root"]
    for user in filter(None, dict.fromkeys(users)):
        url = f"postgresql://{user}@{host}:{port}/postgres"
        if await can_connect(url):
            return PostgresServer(url, f"server on {host}:{port}")
    return None


def _docker_server() -> PostgresServer | None:
    try:
        from docker.errors import DockerException
    except ImportError:
        return None
    try:
        try:
            from testcontainers.community.postgres import PostgresContainer
        except ImportError:
            from testcontainers.postgres import PostgresContainer
        container = PostgresContainer("postgres:15-alpine", driver=None)
        container.start()
    except (DockerException, OSError, ConnectionError):
        return None
    except Exception:
        return None
    url = container.get_connection_url()
    return PostgresServer(
        url.replace("postgresql+psycopg2", "postgresql"), "testcontainers", stop=container.stop
    )


def _pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    candidates += sorted(glob.glob(f"/opt/homebrew/opt/postgresql@*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _as_postgres_user(argv: list[str]) -> list[str]:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _give_to_postgres_user(path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
        # the postgres user must be able to reach the folder through its parents
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                os.chmod(parent, mode | 0o011)


def start_cluster(data_dir: Path, port: int, *, keep: bool) -> PostgresServer:
    """Start (making it first if needed) a cluster in ``data_dir`` listening on loopback."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise NoPostgres(INSTALL_HINT)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    socket_dir = data_dir.parent / "sockets"
    socket_dir.mkdir(exist_ok=True)
    _give_to_postgres_user(socket_dir)
    if not (data_dir / "PG_VERSION").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _give_to_postgres_user(data_dir)
        subprocess.run(
            _as_postgres_user(
                [
                    initdb,
                    "-D",
                    str(data_dir),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ]
            ),
            check=True,
            capture_output=True,
        )
    log_file = data_dir.parent / "postgres.log"
    log_file.touch()
    _give_to_postgres_user(log_file)
    options = (
        f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        if not keep
        else f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1"
    )
    subprocess.run(
        _as_postgres_user(
            [
                pg_ctl,
                "-D",
                str(data_dir),
                "-l",
                str(log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run(
            _as_postgres_user([pg_ctl, "-D", str(data_dir), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        if not keep:
            shutil.rmtree(data_dir.parent, ignore_errors=True)

    return PostgresServer(
        f"postgresql://postgres@127.0.0.1:{port}/postgres",
        f"local cluster in {data_dir}",
        stop=stop,
    )


async def find_test_server() -> PostgresServer:
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        url = explicit.replace("postgresql+asyncpg://", "postgresql://")
        if not await can_connect(url):
            raise NoPostgres(f"TEST_DATABASE_URL is set but {url!r} does not answer")
        return PostgresServer(url, "TEST_DATABASE_URL")
    server = await _local_server()
    if server:
        return server
    server = _docker_server()
    if server:
        return server
    scratch = Path(tempfile.mkdtemp(prefix="essay-pg-"))
    try:
        return start_cluster(scratch / "data", free_port(), keep=False)
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise NoPostgres(f"{INSTALL_HINT} (local cluster failed: {exc})") from exc


async def create_database(server: PostgresServer, name: str, *, exist_ok: bool = False) -> str:
    connection = await asyncpg.connect(server.admin_url)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and not exist_ok:
            raise RuntimeError(f"database {name} already exists")
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server.database_url(name)


async def drop_database(server: PostgresServer, name: str) -> None:
    connection = await asyncpg.connect(server.admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
