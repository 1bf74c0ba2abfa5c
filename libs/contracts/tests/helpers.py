"""Shared helpers of the contract tests."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError


def refuses(model: type[BaseModel], payload: Any) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(payload)


def with_unknown_field(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "surprise": 1}


def as_json(payload: Any) -> Any:
    """The payload as the consumer receives it: through JSON, as the outbox sends it."""
    return json.loads(json.dumps(payload))


class Recorder:
    """An httpx transport that records the JSON bodies sent and answers with ``answer``."""

    def __init__(self, answer: dict[str, Any], status: int = 201) -> None:
        self.bodies: list[Any] = []
        self._answer = answer
        self._status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content) if request.content else None)
        return httpx.Response(self._status, json=self._answer)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))
