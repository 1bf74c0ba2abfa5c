"""Remove blobs that no live document references, older than a grace period.

    python -m services.content_service.purge [--grace-hours 24]

Reads CONTENT_SERVICE_DATABASE_URL like the service; prints what it removed.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from service_kit.db import Database
from services.content_service import service
from services.content_service.config import Settings
from services.content_service.domain import PurgeReport
from services.content_service.repository_postgres_impl import PostgresContentUnitOfWork


async def purge(settings: Settings, grace: timedelta) -> PurgeReport:
    database = Database(settings.database_url, pool_size=1, max_overflow=0)
    try:
        async with database.sessions() as session:
            return await service.purge(PostgresContentUnitOfWork(session), grace)
    finally:
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
