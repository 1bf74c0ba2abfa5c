"""Races against one database through two app instances: the invariants must hold."""

import asyncio
import hashlib
import os

import asyncpg

from services.content_service.app import create_app
from services.content_service.config import Settings


async def test_twenty_concurrent_uploads_of_the_same_bytes(database_url: str):
    data = os.urandom(4096)
    apps = [create_app(Settings(database_url=database_url)) for _ in range(2)]
    async with apps[0].test_app(), apps[1].test_app():
        clients = [app.test_client() for app in apps]
        responses = await asyncio.gather(
            *(
                clients[i % 2].post(
                    "/v1/content", data=data, headers={"Content-Type": "text/plain"}
                )
                for i in range(20)
            )
        )
    statuses = sorted(r.status_code for r in responses)
    ids = {(await r.get_json())["content_id"] for r in responses}
    assert statuses.count(201) == 1
    assert statuses.count(200) == 19
    assert ids == {hashlib.sha256(data).hexdigest()}
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetchval(
            "SELECT count(*) FROM blobs WHERE content_id = $1", hashlib.sha256(data).hexdigest()
        )
    finally:
        await connection.close()
    assert rows == 1


async def test_twenty_concurrent_patches_with_one_version(database_url: str):
    apps = [create_app(Settings(database_url=database_url)) for _ in range(2)]
    async with apps[0].test_app(), apps[1].test_app():
        clients = [app.test_client() for app in apps]
        made = await clients[0].post("/v1/documents", json={"kind": "other", "text": "race"})
        document_id = (await made.get_json())["id"]
        responses = await asyncio.gather(
            *(
                clients[i % 2].patch(
                    f"/v1/documents/{document_id}",
                    json={"filename": f"writer-{i}.txt"},
                    headers={"If-Match": '"1"'},
                )
                for i in range(20)
            )
        )
        statuses = [r.status_code for r in responses]
        final = await (await clients[1].get(f"/v1/documents/{document_id}")).get_json()
    assert sum(1 for s in statuses if 200 <= s < 300) == 1
    assert all(s == 412 for s in statuses if not 200 <= s < 300)
    winner = next(i for i, s in enumerate(statuses) if s == 200)
    assert final["version"] == 2
    assert final["filename"] == f"writer-{winner}.txt"
