"""file_service: ``hypercorn "services.file_service.app:create_app()"``."""

from __future__ import annotations

import uuid
from pathlib import Path

from dishka import AsyncContainer
from quart import Quart

from service_kit.app import create_service_app
from service_kit.messaging.jobs import Job
from service_kit.messaging.runtime import Messaging
from services.file_service import api
from services.file_service.config import Settings
from services.file_service.di import providers
from services.file_service.domain import PROCESS_FILE
from services.file_service.models_db import messaging
from services.file_service.processing import give_up, process_file
from services.file_service.protocols import ContentStore, FileUnitOfWork
from services.file_service.service import Peers

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


async def run_process_file(job: Job, container: AsyncContainer) -> None:
    file_id, version = uuid.UUID(job.payload["file_id"]), int(job.payload["version"])
    async with container() as scope:
        uow, peers = await scope.get(FileUnitOfWork), await scope.get(Peers)
        if job.exhausted:
            await give_up(uow, peers, file_id, version, "processing kept crashing")
            return
        settings = await scope.get(Settings)
        try:
            await process_file(
                uow,
                await scope.get(ContentStore),
                peers,
                settings.limits,
                file_id,
                version,
                last_attempt=job.last_attempt,
            )
        except Exception as exc:
            if not job.last_attempt:
                raise
            await give_up(uow, peers, file_id, version, f"processing failed: {exc!r}")


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or Settings()
    return create_service_app(
        settings,
        blueprints=[api.blueprint],
        providers=providers(settings),
        alembic_ini=ALEMBIC_INI,
        messaging=Messaging(messaging, job_handlers={PROCESS_FILE: run_process_file}),
        title="file_service",
    )
