"""EDGE's HTTP models: the admin analytics query and answer."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api_gateway.use_cases.analytics import AnalyticsLine, GetAnalyticsResult


class AnalyticsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    group: Literal["route", "user"] = "route"


class AnalyticsLineOut(BaseModel):
    route: str | None = None
    method: str | None = None
    principal: str | None = None  # "" for requests without a credential
    count: int
    errors: int  # answers with a 5xx status
    by_status_class: dict[str, int]
    p50_ms: float | None
    p95_ms: float | None
    mean_ms: float | None

    @classmethod
    def of(cls, line: AnalyticsLine) -> AnalyticsLineOut:
        return cls(
            **line.key,
            count=line.count,
            errors=line.errors,
            by_status_class=line.by_status_class,
            p50_ms=line.p50_ms,
            p95_ms=line.p95_ms,
            mean_ms=line.mean_ms,
        )


class AnalyticsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    group: Literal["route", "user"]
    items: list[AnalyticsLineOut]

    @classmethod
    def of(cls, result: GetAnalyticsResult) -> AnalyticsOut:
        return cls.model_validate(
            {
                "from": result.first,
                "to": result.last,
                "group": result.group,
                "items": [AnalyticsLineOut.of(line) for line in result.lines],
            }
        )
