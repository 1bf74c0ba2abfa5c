"""content_service as a real hypercorn process: the documented way to start it works."""

import hashlib
import os

import httpx

from service_kit.testing.processes import running_service


async def test_served_over_real_http(make_database, tmp_path):
    url = await make_database("content_http")  # migrated by running_service, like make run does
    with running_service("content_service", url, tmp_path) as service:
        async with httpx.AsyncClient(base_url=service.url) as client:
            data = os.urandom(1000)
            stored = await client.post("/v1/content", content=data)
            assert stored.status_code == 201
            content_id = hashlib.sha256(data).hexdigest()
            head = await client.head(f"/v1/content/{content_id}")
            assert head.status_code == 200
            assert head.headers["content-length"] == "1000"
            assert head.content == b""
            got = await client.get(f"/v1/content/{content_id}")
            assert got.content == data
            docs = await client.get("/docs")
            assert docs.status_code == 200
            assert "openapi.json" in docs.text
