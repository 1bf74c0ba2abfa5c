"""The gateway's background work: forgetting old client IPs, hourly (configurable), in every
replica (the statement is idempotent). Resolves the use case through the container; no logic."""

from __future__ import annotations

import asyncio
import contextlib
from typing import cast

from dishka import AsyncContainer
from quart import Quart

from service_kit.logging import get_logger
from services.api_gateway.config import Settings
from services.api_gateway.use_cases import (
    ForgetClientIps,
    ForgetClientIpsCommand,
    ForgetClientIpsResult,
)

log = get_logger("api_gateway.jobs")
TASK = "api_gateway.forget_ips"


async def forget_client_ips(container: AsyncContainer) -> ForgetClientIpsResult:
    async with container() as scope:
        use_case = await scope.get(ForgetClientIps)
        return await use_case.execute(ForgetClientIpsCommand())


async def _every(container: AsyncContainer, seconds: float) -> None:
    while True:
        try:
            result = await forget_client_ips(container)
            if result.audit_events or result.sessions:
                log.info(
                    "client_ips_forgotten",
                    audit_events=result.audit_events,
                    sessions=result.sessions,
                )
        except Exception as exc:  # the next round tries again
            log.warning("forget_client_ips_failed", error=repr(exc))
        await asyncio.sleep(seconds)


async def start(app: Quart) -> None:
    settings = cast(Settings, app.config["SETTINGS"])
    if settings.ip_purge_interval_seconds <= 0:
        return
    container = cast(AsyncContainer, app.extensions["QUART_DISHKA"].container)
    app.extensions[TASK] = asyncio.create_task(
        _every(container, settings.ip_purge_interval_seconds)
    )


async def stop(app: Quart) -> None:
    task = app.extensions.pop(TASK, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
