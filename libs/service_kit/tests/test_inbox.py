"""The idempotent inbox: one effect per key, the first answer replayed, races included."""

import asyncio
import uuid

from dishka.integrations.base import FromDishka
from quart import Blueprint, request
from quart_dishka import inject
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from service_kit.app import create_service_app
from service_kit.messaging import inbox
from service_kit.settings import ServiceSettings
from service_kit.tests.messaging_schema import create_schema, job_log, tables

effects = Blueprint("effects", __name__)


@effects.post("/internal/v1/effects")
@inject
async def make_effect(session: FromDishka[AsyncSession]) -> tuple[dict, int]:
    key = inbox.require_key(request.headers.get(inbox.IDEMPOTENCY_HEADER))
    replay = await inbox.claim(session, tables.processed_requests, key, "effects")
    if replay is not None:
        return replay.body, replay.status_code
    effect_id = uuid.uuid4().hex
    await session.execute(job_log.insert().values(job_id=key, worker_id=effect_id, event="effect"))
    await asyncio.sleep(0.05)  # widen the window a racing duplicate could slip through
    body = {"effect_id": effect_id}
    await inbox.record(session, tables.processed_requests, key, "effects", 201, body)
    await session.commit()
    return body, 201


async def count_effects(url: str, key: str) -> int:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        found = await connection.scalar(
            select(func.count()).select_from(job_log).where(job_log.c.job_id == key)
        )
    await engine.dispose()
    return int(found or 0)


async def make_app(make_database):
    url = await make_database("inbox")
    await create_schema(url)
    return url, create_service_app(
        ServiceSettings(service_name="inbox_demo", database_url=url), blueprints=[effects]
    )


async def test_a_repeat_has_one_effect_and_the_first_answer(make_database):
    url, app = await make_app(make_database)
    async with app.test_app():
        client = app.test_client()
        first = await client.post("/internal/v1/effects", headers={"Idempotency-Key": "k1"})
        again = await client.post("/internal/v1/effects", headers={"Idempotency-Key": "k1"})
        other = await client.post("/internal/v1/effects", headers={"Idempotency-Key": "k2"})
        assert (first.status_code, again.status_code) == (201, 201)
        assert await first.get_json() == await again.get_json()
        assert await other.get_json() != await first.get_json()
        missing = await client.post("/internal/v1/effects")
        assert missing.status_code == 400
        assert missing.headers["Content-Type"] == "application/problem+json"
    assert await count_effects(url, "k1") == 1


async def test_concurrent_duplicates_on_two_apps_make_one_effect(make_database):
    url, app = await make_app(make_database)
    twin = create_service_app(
        ServiceSettings(service_name="inbox_demo", database_url=url), blueprints=[effects]
    )
    async with app.test_app(), twin.test_app():
        clients = [app.test_client(), twin.test_client()]
        responses = await asyncio.gather(
            *(
                clients[i % 2].post("/internal/v1/effects", headers={"Idempotency-Key": "race"})
                for i in range(20)
            )
        )
        bodies = [await r.get_json() for r in responses]
    assert {r.status_code for r in responses} == {201}
    assert len({b["effect_id"] for b in bodies}) == 1
    assert await count_effects(url, "race") == 1
