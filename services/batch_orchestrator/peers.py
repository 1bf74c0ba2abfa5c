"""Peers asked synchronously (with a short timeout, and the platform's retry policy for a
failure worth another try): essay_lifecycle for a batch's essay counts, file_service for the
seal of its files. An answer that does not match its contract is no answer."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from contracts.batches import SummaryOut
from contracts.files import IntakeOut
from service_kit.retry import Retryable, RetryPolicy, raise_for_retry
from services.batch_orchestrator.domain import EssaySummary, Intake

# essay_lifecycle knows the batch but no essay of it has been announced yet
NO_ESSAYS_YET = EssaySummary(by_status={}, shown={"total": 0, "by_status": {}})


async def _send(
    client: httpx.AsyncClient,
    policy: RetryPolicy,
    method: str,
    url: str,
    time_limit: float,
    what: str,
) -> httpx.Response | None:
    """The peer's answer (2xx, or a 4xx that says something), tried again on what the policy
    retries; None once the tries run out. A timeout is not tried again: the timeout is the
    whole time the caller can wait."""
    try:
        async for attempt in policy.retrying():
            with attempt:
                try:
                    response = await client.request(method, url, timeout=time_limit)
                except httpx.TimeoutException:
                    return None
                return raise_for_retry(response, what)
    except (Retryable, httpx.HTTPError):
        return None
    return None  # not reached: retrying() returns or raises


class HttpEssayCounts:
    def __init__(
        self, client: httpx.AsyncClient, base_url: str, timeout: float, policy: RetryPolicy
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._policy = policy

    async def summary(self, batch_id: str) -> EssaySummary | None:
        response = await _send(
            self._client,
            self._policy,
            "GET",
            f"{self._base}/v1/batches/{batch_id}/summary",
            self._timeout,
            "essay_lifecycle",
        )
        if response is None:
            return None
        if response.status_code == 404:
            return NO_ESSAYS_YET
        if response.status_code != 200:
            return None
        try:
            answer = SummaryOut.model_validate_json(response.content)
        except ValidationError:
            return None  # not an answer we can trust: the read is degraded, the start waits
        return EssaySummary(by_status=answer.by_status, shown=answer.model_dump(mode="json"))


class HttpFileIntake:
    """file_service's seal: ``POST /internal/v1/batches/{id}/seal``."""

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, timeout: float, policy: RetryPolicy
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._policy = policy

    async def seal(self, batch_id: str) -> Intake | None:
        response = await _send(
            self._client,
            self._policy,
            "POST",
            f"{self._base}/internal/v1/batches/{batch_id}/seal",
            self._timeout,
            "file_service",
        )
        if response is None or response.status_code != 200:
            return None
        try:
            answer = IntakeOut.model_validate_json(response.content)
        except ValidationError:
            return None  # not an answer we can trust: the start waits
        return Intake(**answer.model_dump(exclude={"batch_id"}))
