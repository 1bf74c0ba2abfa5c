"""The idempotent inbox: a repeated request has one effect and gets the first answer.

    replay = await inbox.claim(session, tables.processed_requests, key, scope)
    if replay: return replay.body, replay.status_code
    ... the effect, in the same session ...
    await inbox.record(session, tables.processed_requests, key, scope, 202, body)
    await session.commit()

``claim`` inserts the key first. A concurrent duplicate's insert waits on that row's lock
until the first transaction ends: if it committed, the duplicate reads the stored answer;
if it rolled back, the duplicate goes ahead and makes the effect itself. Never two effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.errors import DomainError

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class MissingIdempotencyKey(DomainError):
    status = 400
    title = "Idempotency-Key required"


def require_key(value: str | None) -> str:
    """State-changing internal endpoints need the caller's key to stay exactly-once."""
    if not value or len(value) > MAX_KEY_LENGTH:
        raise MissingIdempotencyKey(
            f"send an {IDEMPOTENCY_HEADER} header of 1 to {MAX_KEY_LENGTH} characters"
        )
    return value


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


async def claim(
    session: AsyncSession, processed: Table, key: str, scope: str
) -> StoredResponse | None:
    """None: this request owns the key, go ahead. Otherwise: the answer to replay."""
    inserted = await session.execute(
        insert(processed)
        .values(idempotency_key=key, scope=scope)
        .on_conflict_do_nothing()
        .returning(processed.c.idempotency_key)
    )
    if inserted.first() is not None:
        return None
    row = (
        await session.execute(
            select(processed.c.status_code, processed.c.response).where(
                processed.c.idempotency_key == key, processed.c.scope == scope
            )
        )
    ).one()
    return StoredResponse(row.status_code, row.response)


async def record(
    session: AsyncSession, processed: Table, key: str, scope: str, status_code: int, body: Any
) -> None:
    await session.execute(
        update(processed)
        .where(processed.c.idempotency_key == key, processed.c.scope == scope)
        .values(status_code=status_code, response=body)
    )
