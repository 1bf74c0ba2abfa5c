"""Opaque cursors for keyset pagination: the client gets a token, never our column values."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_

from service_kit.errors import InvalidInput

MAX_LIMIT = 500


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("the cursor is not one this service issued") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput("the cursor is not one this service issued")
    return values


def clamp_limit(limit: int | None, default: int = 50) -> int:
    if limit is None:
        return default
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


Position = tuple[datetime, uuid.UUID]
# batch_orchestrator's ids are strings: a keyset position is (created_at, any ordered id)
AnyPosition = tuple[datetime, Any]
T = TypeVar("T")


def position_after(cursor: str | None) -> Position | None:
    """The (created_at, id) a keyset page starts after, from a cursor ``page`` made."""
    if not cursor:
        return None
    created, last_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(created), uuid.UUID(last_id)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("the cursor is not one this service issued") from exc


def page(
    items: list[T], limit: int, position: Callable[[T], Position]
) -> tuple[list[T], str | None]:
    """Split ``limit + 1`` fetched items into the page and the next cursor (None at the end)."""
    shown = items[:limit]
    if len(items) <= limit:
        return shown, None
    created, last_id = position(shown[-1])
    return shown, encode_cursor(created.isoformat(), str(last_id))


def keyset_after(
    created_at: ColumnElement[Any], id_: ColumnElement[Any], after: AnyPosition | None
) -> list[ColumnElement[bool]]:
    """The SQL keyset condition ``(created_at, id) > after`` as a list to add to the
    statement's conditions (empty on the first page); order the statement by
    ``(created_at, id)``:

        conditions.extend(keyset_after(t.c.created_at, t.c.id, after))
    """
    if after is None:
        return []
    created, last_id = after
    return [or_(created_at > created, and_(created_at == created, id_ > last_id))]


def is_after(item_position: AnyPosition, after: AnyPosition | None) -> bool:
    """The in-memory twin of ``keyset_after``: True if ``item_position`` belongs on a page
    that starts after ``after`` (always True on the first page)."""
    return after is None or item_position > after


def keyset_page_of(
    items: Iterable[T], position: Callable[[T], AnyPosition], after: AnyPosition | None, limit: int
) -> list[T]:
    """In memory, what the SQL query returns: the items after ``after`` in (created_at, id)
    order, at most ``limit`` of them (pass ``limit + 1`` to let ``page`` see a next page)."""
    chosen = sorted((i for i in items if is_after(position(i), after)), key=position)
    return chosen[:limit]
