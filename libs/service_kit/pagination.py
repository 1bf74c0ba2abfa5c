"""Opaque cursors for keyset pagination: the client gets a token, never our column values."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

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
