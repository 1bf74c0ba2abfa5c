"""The one job give-up wrapper: a job entry point made of two use cases.

    handlers = {
        PROCESS_FILE: job_handler(
            run=ProcessFile,
            command=lambda job: ProcessFileCommand(
                uuid.UUID(job.payload["file_id"]), job.payload["version"], job.last_attempt
            ),
            give_up=GiveUpFile,
            give_up_command=lambda job, reason: GiveUpFileCommand(
                uuid.UUID(job.payload["file_id"]), job.payload["version"], reason
            ),
        )
    }

The handler opens a REQUEST scope on the app's container, resolves the use case class
through dishka (its constructor arguments by type) and calls ``execute``. It gives up when:

- the job is ``exhausted`` (claimed past its last attempt: its workers kept dying): the
  ``give_up`` use case runs instead of ``run``, with ``crashed`` as the reason;
- ``run`` raised on the job's last attempt: ``give_up`` runs in a fresh scope (a new unit of
  work, not the one the failure left behind) with ``failed(exc)`` as the reason, and the job
  succeeds (the failure is recorded in the service's own terms). On an earlier attempt the
  error propagates and the job queue retries it with the shared retry policy's backoff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from dishka import AsyncContainer

from service_kit.logging import get_logger
from service_kit.messaging.jobs import Job
from service_kit.messaging.runtime import JobHandler

log = get_logger("service_kit.jobs")

C_contra = TypeVar("C_contra", contravariant=True)
C = TypeVar("C")
G = TypeVar("G")


class UseCase(Protocol[C_contra]):
    async def execute(self, command: C_contra, /) -> Any: ...


def describe(exc: BaseException) -> str:
    """The default reason a failed last attempt gives: ``"<Type>: <message>"``."""
    return f"{type(exc).__name__}: {exc}"


def job_handler(
    *,
    run: type[UseCase[C]],
    command: Callable[[Job], C],
    give_up: type[UseCase[G]],
    give_up_command: Callable[[Job, str], G],
    crashed: str = "gave up: the job kept crashing its workers",
    failed: Callable[[BaseException], str] = describe,
) -> JobHandler:
    """The ``(job, container)`` handler ``Messaging(job_handlers=...)`` takes."""

    async def _give_up(job: Job, container: AsyncContainer, reason: str) -> None:
        async with container() as scope:
            use_case = await scope.get(give_up)
            await use_case.execute(give_up_command(job, reason))

    async def handle(job: Job, container: AsyncContainer) -> None:
        if job.exhausted:
            await _give_up(job, container, crashed)
            return
        try:
            async with container() as scope:
                use_case = await scope.get(run)
                await use_case.execute(command(job))
        except Exception as exc:
            if not job.last_attempt:
                raise
            log.warning("job_giving_up", kind=job.kind, job_id=str(job.id), error=repr(exc))
            await _give_up(job, container, failed(exc))

    return handle
