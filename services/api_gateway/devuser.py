"""The development teacher ``make run`` prints: an account, a generated password, an API key.

    python -m services.api_gateway.devuser --base-url http://127.0.0.1:8000 --state FILE

Development profile only (refuses otherwise). The account is made with the same use case as
``python -m services.api_gateway users create``; the key through the public API (log in,
``POST /v1/api-keys`` with the session's CSRF token), as a person would. The three are kept in
``--state`` (mode 0600) and reused while the key still works, so restarts print the same ones.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from argparse import Namespace
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from service_kit.errors import Conflict, DomainError
from services.api_gateway.__main__ import create_user
from services.api_gateway.config import Settings

EMAIL = "teacher@dev.example.org"


@dataclass(frozen=True)
class DevTeacher:
    email: str
    password: str
    api_key: str


def new_password() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits


async def works(http: httpx.AsyncClient, base_url: str, teacher: DevTeacher) -> bool:
    try:
        answer = await http.get(
            f"{base_url}/v1/me", headers={"Authorization": f"Bearer {teacher.api_key}"}
        )
    except httpx.HTTPError:
        return False
    return answer.status_code == 200


async def make_key(http: httpx.AsyncClient, base_url: str, email: str, password: str) -> str:
    login = await http.post(
        f"{base_url}/v1/auth/login", json={"email": email, "password": password}
    )
    login.raise_for_status()
    csrf = login.json()["csrf_token"]
    created = await http.post(
        f"{base_url}/v1/api-keys",
        json={"name": "development (make run)"},
        headers={"X-CSRF-Token": csrf},
    )
    created.raise_for_status()
    await http.post(f"{base_url}/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    return str(created.json()["key"])


async def _create(settings: Settings, email: str, password: str) -> None:
    account = Namespace(email=email, role="teacher", display_name="Development teacher")
    await create_user(settings, account, password)


async def ensure_teacher(
    base_url: str,
    settings: Settings,
    known: DevTeacher | None = None,
    email: str = EMAIL,
    transport: httpx.AsyncBaseTransport | None = None,
) -> DevTeacher:
    """``known`` if its key still works; otherwise a new account and key."""
    if not settings.development:
        raise SystemExit("refusing: a development teacher is made in the development profile only")
    async with httpx.AsyncClient(timeout=30, transport=transport) as http:
        if known is not None and await works(http, base_url, known):
            return known
        password = new_password()
        try:
            await _create(settings, email, password)
        except Conflict:
            # the account exists but its password is lost: another, fresh account
            local, _, domain = email.partition("@")
            email = f"{local}-{secrets.token_hex(3)}@{domain}"
            await _create(settings, email, password)
        return DevTeacher(email, password, await make_key(http, base_url, email, password))


def load(state: Path | None) -> DevTeacher | None:
    if state is None or not state.exists():
        return None
    try:
        return DevTeacher(**json.loads(state.read_text()))
    except (ValueError, TypeError):
        return None


def save(state: Path | None, teacher: DevTeacher) -> None:
    if state is None:
        return
    state.parent.mkdir(parents=True, exist_ok=True)
    state.touch(mode=0o600)
    os.chmod(state, 0o600)
    state.write_text(json.dumps(asdict(teacher)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.api_gateway.devuser")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--state", type=Path, default=None)
    parser.add_argument("--email", default=EMAIL)
    args = parser.parse_args(argv)
    try:
        teacher = asyncio.run(
            ensure_teacher(args.base_url.rstrip("/"), Settings(), load(args.state), args.email)
        )
    except DomainError as error:
        print(f"refused: {error.detail}", file=sys.stderr)
        return 2
    save(args.state, teacher)
    print(json.dumps(asdict(teacher)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
