"""Starts and stops a service's relay and job workers with the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from dishka import AsyncContainer

from service_kit.db import Database
from service_kit.messaging.jobs import Job, JobWorkers, WorkerSettings
from service_kit.messaging.notify import Listener
from service_kit.messaging.outbox import OutboxRelay, RelaySettings
from service_kit.messaging.tables import MessagingTables

JobHandler = Callable[[Job, AsyncContainer], Awaitable[None]]


@dataclass(frozen=True)
class Messaging:
    """What a service asks of the messaging machinery."""

    tables: MessagingTables
    job_handlers: Mapping[str, JobHandler] = field(default_factory=dict)
    relay: bool = True


class MessagingRuntime:
    def __init__(
        self,
        messaging: Messaging,
        database: Database,
        container: AsyncContainer,
        relay_settings: RelaySettings,
        worker_settings: WorkerSettings,
    ) -> None:
        dsn = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.listener = Listener(dsn)
        self.relay = (
            OutboxRelay(database.engine, messaging.tables.outbox, relay_settings, self.listener)
            if messaging.relay
            else None
        )
        self.workers: JobWorkers | None = None
        if messaging.job_handlers:

            def bind(handler: JobHandler) -> Callable[[Job], Awaitable[None]]:
                async def run(job: Job) -> None:
                    await handler(job, container)

                return run

            self.workers = JobWorkers(
                database.engine,
                messaging.tables.jobs,
                {kind: bind(handler) for kind, handler in messaging.job_handlers.items()},
                worker_settings,
                self.listener,
            )

    async def start(self) -> None:
        await self.listener.start()
        if self.relay:
            await self.relay.start()
        if self.workers:
            await self.workers.start()

    async def stop(self) -> None:
        if self.workers:
            await self.workers.stop()
        if self.relay:
            await self.relay.stop()
        await self.listener.stop()
