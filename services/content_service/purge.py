"""The purge command: remove blobs that no live document references, older than a grace period.

    python -m services.content_service.purge [--grace-hours 24]

Reads CONTENT_SERVICE_DATABASE_URL like the service; prints what it removed. The work is the
PurgeBlobs use case, resolved through the service's own providers.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from dishka import make_async_container

from service_kit.db import Database
from service_kit.di import ClockProvider, DatabaseProvider
from service_kit.settings import RepositoryKind
from services.content_service.config import Settings
from services.content_service.di import providers
from services.content_service.domain import PurgeReport
from services.content_service.use_cases import PurgeBlobs, PurgeBlobsCommand


async def purge(settings: Settings, grace: timedelta) -> PurgeReport:
    # always PostgreSQL: a memory store would be a new, empty one
    settings = settings.model_copy(update={"repository": RepositoryKind.POSTGRES})
    database = Database(settings.database_url, pool_size=1, max_overflow=0)
    container = make_async_container(
        ClockProvider(), DatabaseProvider(database), *providers(settings)
    )
    try:
        async with container() as request:
            use_case = await request.get(PurgeBlobs)
            return await use_case.execute(PurgeBlobsCommand(grace))
    finally:
        await container.close()
        await database.dispose()


def main(argv: list[str] | None = None) -> None:
    settings = Settings()
    parser = argparse.ArgumentParser(description="Purge unreferenced blobs.")
    parser.add_argument("--grace-hours", type=float, default=settings.purge_grace_hours)
    args = parser.parse_args(argv)
    report = asyncio.run(purge(settings, timedelta(hours=args.grace_hours)))
    for content_id in report.blobs:
        print(f"removed blob {content_id}")
    print(
        f"purged {len(report.blobs)} blobs ({report.bytes_freed} bytes) and "
        f"{report.documents_removed} soft-deleted documents"
    )


if __name__ == "__main__":
    main()
