"""X-Correlation-ID: taken from the request or made, passed on to every call and log line."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Correlation-ID"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def accept_or_make(incoming: str | None) -> str:
    if incoming and _ACCEPTABLE.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> str | None:
    return _current.get()


def set_current(value: str | None) -> None:
    _current.set(value)
