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


async def _every(container: AsyncContainer, seconds: float, stopping: asyncio.Event) -> None:
    """Wait ``seconds`` (the app has just started: no work at startup), purge, again; ends at
    ``stopping`` without ever being cancelled in the middle of a statement."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), seconds)
        if stopping.is_set():
            return
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


async def start(app: Quart) -> None:
    settings = cast(Settings, app.config["SETTINGS"])
    if settings.ip_purge_interval_seconds <= 0:
        return
    container = cast(AsyncContainer, app.extensions["QUART_DISHKA"].container)
    stopping = asyncio.Event()
    task = asyncio.create_task(_every(container, settings.ip_purge_interval_seconds, stopping))
    app.extensions[TASK] = (task, stopping)


async def stop(app: Quart) -> None:
    running = app.extensions.pop(TASK, None)
    if running is None:
        return
    task, stopping = running
    stopping.set()
    try:
        await asyncio.wait_for(task, 30)
    except TimeoutError:
        log.warning("forget_client_ips_still_running_at_shutdown")
