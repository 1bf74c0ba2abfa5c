"""The gateway's command line (reads API_GATEWAY_* like the service):

python -m services.api_gateway users create --email E --role admin|teacher [--display-name N]
    the password is read from stdin (one line; prompted for on a terminal), never an argument
python -m services.api_gateway audit forget-ips
    erase client IPs older than API_GATEWAY_CLIENT_IP_RETENTION_DAYS now
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dishka import AsyncContainer, make_async_container

from service_kit.db import Database
from service_kit.di import ClockProvider, DatabaseProvider
from service_kit.errors import DomainError
from service_kit.settings import RepositoryKind
from services.api_gateway import jobs
from services.api_gateway.config import Settings
from services.api_gateway.di import providers
from services.api_gateway.use_cases import CreateUser, CreateUserCommand


@asynccontextmanager
async def _container(settings: Settings) -> AsyncIterator[AsyncContainer]:
    database = None
    base: list = [ClockProvider()]
    if settings.repository is RepositoryKind.POSTGRES:
        database = Database(settings.database_url, pool_size=1, max_overflow=0)
        base.append(DatabaseProvider(database))
    container = make_async_container(*base, *providers(settings))
    try:
        yield container
    finally:
        await container.close()
        if database is not None:
            await database.dispose()


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise SystemExit("the passwords differ")
        return first
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


async def create_user(settings: Settings, args: argparse.Namespace, password: str) -> str:
    async with _container(settings) as container, container() as scope:
        use_case = await scope.get(CreateUser)
        user = await use_case.execute(
            CreateUserCommand(args.email, password, args.role, args.display_name)
        )
    return f"created {user.role} {user.email} ({user.id})"


async def forget_ips(settings: Settings) -> str:
    async with _container(settings) as container:
        result = await jobs.forget_client_ips(container)
    return f"forgot {result.audit_events} audit event and {result.sessions} session client IPs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.api_gateway")
    areas = parser.add_subparsers(dest="area", required=True)
    users = areas.add_parser("users").add_subparsers(dest="action", required=True)
    create = users.add_parser("create", help="make an account; the password comes from stdin")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=["admin", "teacher"])
    create.add_argument("--display-name", default=None)
    audit = areas.add_parser("audit").add_subparsers(dest="action", required=True)
    audit.add_parser("forget-ips", help="erase client IPs older than the retention now")
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        if args.area == "users":
            message = asyncio.run(create_user(settings, args, _read_password()))
        else:
            message = asyncio.run(forget_ips(settings))
    except DomainError as error:
        print(f"refused: {error.detail}", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
