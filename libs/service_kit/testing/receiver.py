"""A recording HTTP receiver on loopback, for testing what a service sends to its peers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart, request

from service_kit.postgres_server import free_port


@dataclass
class Received:
    method: str
    path: str
    idempotency_key: str | None
    correlation_id: str | None
    authorization: str | None
    body: Any
    at: float = field(default_factory=time.monotonic)


@dataclass
class Receiver:
    """Records every request; can fail the next N with a status, or hold requests open."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    reply: Any = field(default_factory=lambda: {"ok": True})

    def __post_init__(self) -> None:
        self.release.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def keys(self) -> Counter[str | None]:
        return Counter(r.idempotency_key for r in self.received)

    def app(self) -> Quart:
        app = Quart("receiver")

        @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        async def record(path: str) -> tuple[Any, int]:
            body = await request.get_json(silent=True)
            self.received.append(
                Received(
                    request.method,
                    "/" + path,
                    request.headers.get("Idempotency-Key"),
                    request.headers.get("X-Correlation-ID"),
                    request.headers.get("Authorization"),
                    body,
                )
            )
            self.arrived.set()
            await self.release.wait()
            if self.fail_next > 0:
                self.fail_next -= 1
                return {"error": "failing on purpose"}, self.fail_status
            return self.reply, 200

        return app

    async def wait_for(self, count: int, timeout: float = 20.0) -> None:
        async def enough() -> None:
            while len(self.received) < count:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(enough(), timeout)


@contextlib.asynccontextmanager
async def serve_app(app: Quart, port: int) -> AsyncIterator[None]:
    """Any Quart app under hypercorn on 127.0.0.1:port, inside the test's own event loop."""
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    config.errorlog = None
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.02)
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


@contextlib.asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[Receiver]:
    async with serve_app(receiver.app(), receiver.port):
        try:
            yield receiver
        finally:
            receiver.release.set()  # let held requests finish so the server can stop
