"""Field types for request models: input that cannot reach the database wrong.

PostgreSQL refuses NUL characters in text and JSON, and UTF-8 has no encoding for an
unpaired surrogate (JSON's ``"\\ud800"``); integers past the column's type overflow it. Each
of these would surface as a 500 from deep in the driver, so request models say it up front
and the caller gets a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain unpaired surrogates") from None
    return value


def encodable_text(value: str) -> str:
    """Text whose NULs the service strips itself (cj_assessment's essay texts) but that must
    still be UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain unpaired surrogates") from None
    return value


def clean_json(value: Any) -> Any:
    """Every string in a JSON value, keys included, is clean text."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        for key, item in value.items():
            clean_text(str(key))
            clean_json(item)
    elif isinstance(value, list):
        for item in value:
            clean_json(item)
    return value


# Text stored in a PostgreSQL text, varchar or JSON column.
SafeText = Annotated[str, AfterValidator(clean_text)]
# Text a service cleans of NUL itself before storing it; unpaired surrogates are refused.
EncodableText = Annotated[str, AfterValidator(encodable_text)]
# A JSON object stored in a JSONB column.
SafeJson = Annotated[dict[str, Any], AfterValidator(clean_json)]
# An integer stored in a PostgreSQL integer column.
Int32 = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]
# A count or version from 1, stored in an integer column. (A `Field(ge=1)` default beside
# `Int32` does not narrow it: pydantic keeps the annotation's own bounds.)
PositiveInt32 = Annotated[int, Field(ge=1, le=INT32_MAX)]
