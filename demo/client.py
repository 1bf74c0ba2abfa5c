"""A small client for the platform's public APIs, as a teacher's tool would use them.

`make demo`, the end-to-end tests and the pipeline benchmark all drive the platform through
this one client, so what they prove is what a user gets. With ``Endpoints.api_gateway`` set
(as ``Endpoints.local()`` does) every call goes to the gateway, the same paths, with the
teacher's API key; without it, straight to the services as a trusted caller (``X-User-ID``).
"""

from __future__ import annotations

import asyncio
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

FINISHED = frozenset({"completed", "completed_with_failures", "failed", "cancelled"})
USER_HEADER = "X-User-ID"


@dataclass(frozen=True)
class Endpoints:
    batch_orchestrator: str
    file_service: str
    essay_lifecycle: str
    spell_checker: str
    cj_assessment: str
    content_service: str
    api_gateway: str | None = None  # the front door: when set, every API call goes there

    @classmethod
    def local(cls, host: str = "127.0.0.1") -> Endpoints:
        """The ports `make run` and docker compose use (docs/architecture.md §8)."""
        return cls(
            api_gateway=f"http://{host}:8000",
            batch_orchestrator=f"http://{host}:8001",
            essay_lifecycle=f"http://{host}:8002",
            spell_checker=f"http://{host}:8003",
            cj_assessment=f"http://{host}:8004",
            file_service=f"http://{host}:8005",
            content_service=f"http://{host}:8006",
        )

    def all(self) -> dict[str, str]:
        return {name: url for name, url in vars(self).items() if url is not None}

    def api(self, service: str) -> str:
        """Where a client calls ``service``'s public API: the gateway, when there is one."""
        return self.api_gateway or str(getattr(self, service))


class PlatformError(RuntimeError):
    pass


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Platform:
    """One teacher's session with the platform."""

    def __init__(
        self,
        endpoints: Endpoints,
        user: str = "demo-teacher",
        timeout: float = 30.0,
        *,
        api_key: str | None = None,
    ):
        self.endpoints = endpoints
        self.user = user
        # through the gateway the key says who we are; straight to a service, X-User-ID does
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {USER_HEADER: user}
        self._http = httpx.AsyncClient(timeout=timeout, headers=headers)

    def url(self, service: str, path: str) -> str:
        return self.endpoints.api(service) + path

    async def __aenter__(self) -> Platform:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self._http.request(method, url, **kwargs)
        if response.status_code >= 400:
            raise PlatformError(f"{method} {url} → {response.status_code}: {response.text[:500]}")
        return response

    async def ready(self) -> dict[str, bool]:
        """Each service's /readyz; only the gateway's when calls go through it (the services
        behind it need not be reachable from here)."""
        answers = {}
        urls = self.endpoints.all()
        if self.endpoints.api_gateway:
            urls = {"api_gateway": self.endpoints.api_gateway}
        for name, url in urls.items():
            try:
                response = await self._http.get(f"{url}/readyz", timeout=2)
                answers[name] = response.status_code == 200
            except httpx.HTTPError:
                answers[name] = False
        return answers

    async def create_batch(
        self,
        name: str,
        *,
        language: str = "auto",
        expected_essay_count: int | None = None,
        cj: dict[str, Any] | None = None,
        pipeline: str | list[str] = "full",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "language": language, "pipeline": pipeline}
        if expected_essay_count is not None:
            body["expected_essay_count"] = expected_essay_count
        if cj is not None:
            body["cj"] = cj
        url = self.url("batch_orchestrator", "/v1/batches")
        return (await self._call("POST", url, json=body)).json()

    async def upload(self, batch_id: str, paths: Iterable[Path]) -> list[dict[str, Any]]:
        files = []
        for p in paths:
            kind = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
            files.append(("files", (p.name, p.read_bytes(), kind)))
        url = self.url("file_service", f"/v1/batches/{batch_id}/files")
        return (await self._call("POST", url, files=files)).json()["files"]

    async def batch(self, batch_id: str) -> dict[str, Any]:
        url = self.url("batch_orchestrator", f"/v1/batches/{batch_id}")
        return (await self._call("GET", url)).json()

    async def wait_for(
        self,
        batch_id: str,
        statuses: Iterable[str],
        *,
        within: float = 120.0,
        progress: Callable[[dict[str, Any]], None] | None = None,
        interval: float = 0.25,
    ) -> dict[str, Any]:
        wanted = set(statuses)
        deadline = time.monotonic() + within
        while True:
            body = await self.batch(batch_id)
            if progress is not None:
                progress(body)
            if body["status"] in wanted:
                return body
            if time.monotonic() > deadline:
                raise PlatformError(f"batch {batch_id} still {body['status']} after {within}s")
            await asyncio.sleep(interval)

    async def wait_for_essays(
        self, batch_id: str, count: int, *, within: float = 120.0
    ) -> dict[str, Any]:
        """Until essay_lifecycle knows ``count`` essays of the batch (ready or rejected): the
        uploads' extraction jobs and notifications have all gone through."""
        deadline = time.monotonic() + within
        while True:
            body = await self.batch(batch_id)
            if ((body.get("essays") or {}).get("total") or 0) >= count:
                return body
            if time.monotonic() > deadline:
                raise PlatformError(f"batch {batch_id} has {body.get('essays')} after {within}s")
            await asyncio.sleep(0.2)

    async def start_pipeline(
        self,
        batch_id: str,
        *,
        within: float = 120.0,
        waiting: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Start the batch. While files are still being processed the orchestrator answers
        409 ``files_processing`` with Retry-After: wait that long and ask again."""
        url = self.url("batch_orchestrator", f"/v1/batches/{batch_id}/pipeline")
        deadline = time.monotonic() + within
        while True:
            response = await self._http.post(url)
            if response.status_code < 400:
                return dict(response.json())
            problem = _problem(response)
            if (
                response.status_code != 409
                or problem.get("code") != "files_processing"
                or time.monotonic() > deadline
            ):
                raise PlatformError(f"POST {url} → {response.status_code}: {response.text[:500]}")
            if waiting is not None:
                waiting(problem)
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))

    async def delete_file(self, file_id: str) -> None:
        await self._call("DELETE", self.url("file_service", f"/v1/files/{file_id}"))

    async def retry_phase(self, batch_id: str, phase: str) -> dict[str, Any]:
        url = self.url("batch_orchestrator", f"/v1/batches/{batch_id}/phases/{phase}/retry")
        return (await self._call("POST", url)).json()

    async def results(self, batch_id: str) -> dict[str, Any]:
        url = self.url("batch_orchestrator", f"/v1/batches/{batch_id}/results")
        return (await self._call("GET", url)).json()

    async def files(self, batch_id: str) -> list[dict[str, Any]]:
        return await self._every(self.url("file_service", f"/v1/batches/{batch_id}/files"))

    async def essays(self, batch_id: str) -> list[dict[str, Any]]:
        return await self._every(self.url("essay_lifecycle", f"/v1/batches/{batch_id}/essays"))

    async def _every(self, url: str) -> list[dict[str, Any]]:
        """Every item of a paginated listing, following its cursors."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 200}
            if cursor:
                params["cursor"] = cursor
            page = (await self._call("GET", url, params=params)).json()
            found += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return found

    async def timeline(self, essay_id: str) -> list[dict[str, Any]]:
        url = self.url("essay_lifecycle", f"/v1/essays/{essay_id}/timeline")
        return (await self._call("GET", url)).json()["events"]

    async def metrics(self, service: str) -> str:
        return (await self._call("GET", f"{self.endpoints.all()[service]}/metrics")).text
