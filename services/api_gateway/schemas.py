"""api_gateway's HTTP request and response models (pydantic), built from domain objects with
``model_validate`` (from_attributes)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict


class _FromDomain(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MeOut(_FromDomain):
    id: uuid.UUID
    kind: str
    email: str | None
    role: str | None
    display_name: str | None
    judge_batch_id: str | None = None
