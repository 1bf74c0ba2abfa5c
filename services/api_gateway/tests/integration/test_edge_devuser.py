"""``make run``'s development teacher: an account, its password and a working API key, made
once and reused while the key works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from services.api_gateway.config import Settings
from services.api_gateway.devuser import DevTeacher, ensure_teacher, load, save
from services.api_gateway.tests.edge_fakes import FakeServices
from services.api_gateway.tests.integration.edge_helpers import gateway_app


async def test_the_development_teacher_can_use_the_platform(
    make_migrated_database: Any, tmp_path: Path
) -> None:
    url = await make_migrated_database("api_gateway")
    services = FakeServices()
    app = gateway_app(url, services, argon2_memory_kib=1024, argon2_time_cost=1)
    settings = Settings(database_url=url, argon2_memory_kib=1024, argon2_time_cost=1)
    async with app.test_app():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        base = "http://gateway.test"
        teacher = await ensure_teacher(base, settings, None, transport=transport)
        assert len(teacher.password) >= 12 and teacher.api_key.startswith("egk_")
        async with httpx.AsyncClient(transport=transport, base_url=base) as http:
            me = await http.get("/v1/me", headers={"Authorization": f"Bearer {teacher.api_key}"})
            assert me.status_code == 200 and me.json()["email"] == teacher.email
            created = await http.post(
                "/v1/batches",
                json={"name": "x"},
                headers={"Authorization": f"Bearer {teacher.api_key}"},
            )
            assert created.status_code == 201
        state = tmp_path / "dev_teacher.json"
        save(state, teacher)
        assert oct(state.stat().st_mode & 0o777) == "0o600"
        assert load(state) == teacher
        assert await ensure_teacher(base, settings, teacher, transport=transport) == teacher
        # a lost state file: the email is taken, so another account is made
        again = await ensure_teacher(base, settings, None, transport=transport)
        assert again.email != teacher.email and again.api_key != teacher.api_key
        stale = DevTeacher(teacher.email, teacher.password, "egk_revoked")
        fresh = await ensure_teacher(base, settings, stale, transport=transport)
        assert fresh.api_key != stale.api_key


def test_only_in_development() -> None:
    with pytest.raises(SystemExit):
        import asyncio

        production = Settings.model_construct(profile="production")
        asyncio.run(ensure_teacher("http://x", production))
