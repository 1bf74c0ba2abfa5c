"""The purge command on PostgreSQL: only unreferenced blobs past the grace period go."""

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from service_kit.checkout import pythonpath_for
from services.content_service.app import create_app
from services.content_service.config import Settings

ROOT = Path(__file__).resolve().parents[4]


async def test_purge_command_removes_orphans_and_reports_them(make_migrated_database):
    url = await make_migrated_database("content_service")
    app = create_app(Settings(database_url=url))
    orphan, kept, deleted = os.urandom(64), os.urandom(64), os.urandom(64)
    async with app.test_app():
        client = app.test_client()
        for data in (orphan, kept, deleted):
            await client.post("/v1/content", data=data)
        keep = await client.post(
            "/v1/documents", json={"kind": "other", "content_id": hashlib.sha256(kept).hexdigest()}
        )
        gone = await client.post(
            "/v1/documents",
            json={"kind": "other", "content_id": hashlib.sha256(deleted).hexdigest()},
        )
        await client.delete(f"/v1/documents/{(await gone.get_json())['id']}")

    env = {**os.environ, **pythonpath_for(ROOT), "CONTENT_SERVICE_DATABASE_URL": url}
    command = [sys.executable, "-m", "services.content_service.purge"]
    young = await asyncio.to_thread(
        subprocess.run, [*command, "--grace-hours", "1"], env=env, capture_output=True, text=True
    )
    assert young.returncode == 0, young.stderr
    assert "purged 0 blobs" in young.stdout
    result = await asyncio.to_thread(
        subprocess.run,
        [*command, "--grace-hours", "0"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"removed blob {hashlib.sha256(orphan).hexdigest()}" in result.stdout
    assert f"removed blob {hashlib.sha256(deleted).hexdigest()}" in result.stdout
    assert "purged 2 blobs (128 bytes) and 1 soft-deleted documents" in result.stdout

    async with app.test_app():
        client = app.test_client()
        document = await client.get(f"/v1/documents/{(await keep.get_json())['id']}")
        assert document.status_code == 200
        assert (
            await client.get(f"/v1/content/{hashlib.sha256(kept).hexdigest()}")
        ).status_code == 200
        gone_blob = await client.get(f"/v1/content/{hashlib.sha256(orphan).hexdigest()}")
        assert gone_blob.status_code == 404
