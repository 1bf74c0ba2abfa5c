"""The browser tests' harness: the six services and the api_gateway as real processes on fresh
databases (one stack for the whole session: starting seven processes costs seconds), Debian's
Chromium driven by Playwright (``executable_path=/usr/bin/chromium``: Playwright's own browser
download is impossible here), and signed-in people.

Fixtures:
- ``web``: the running platform (``web.base_url``, ``web.stack``, ``web.databases``) and its
  people: ``web.teacher`` (signed in by ``teacher_page``), ``web.other_teacher`` and
  ``web.admin``, each a ``Person(email, password, api_key)``.
- ``browser``: one Chromium for the session.
- ``new_context(person=None, **options)``: a fresh browser context (its own cookies), signed in
  as ``person`` through the gateway's login when one is given.
- ``teacher_page``: a page of a context signed in as ``web.teacher``.
- ``axe_check(page)``: runs the vendored axe-core in the page and fails on any serious or
  critical violation.

Chromium missing is a failure with the install command, never a skip: `.ci/run` installs it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from argparse import Namespace
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from service_kit.testing.processes import REPO_ROOT
from service_kit.testing.stack import Stack, fresh_databases
from services.api_gateway.__main__ import create_user
from services.api_gateway.config import Settings as GatewaySettings
from services.api_gateway.devuser import ensure_teacher, new_password

CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    api_key: str = ""


@dataclass
class Web:
    stack: Stack
    databases: dict[str, str]
    teacher: Person
    other_teacher: Person
    admin: Person
    logs: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.stack.url("api_gateway")

    def api(self, person: Person) -> httpx.AsyncClient:
        """The public API as ``person`` (their API key), for arranging and observing."""
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {person.api_key}"},
            timeout=30,
        )


async def _admin(base_url: str, settings: GatewaySettings) -> Person:
    email, password = "admin@browser.example.org", new_password()
    account = Namespace(email=email, role="admin", display_name="Browser admin")
    await create_user(settings, account, password)
    return Person(email, password)


READY_SECONDS = float(os.environ.get("BROWSER_TESTS_READY_SECONDS", "300"))


def _start(stack: Stack) -> None:
    """Migrate and start the seven processes; wait for each longer than the e2e default (a
    loaded machine makes spell_checker's dictionaries slow to load; an exit still fails at
    once)."""
    stack.migrate()
    for process in stack.processes.values():
        process.start(wait=False)
    for process in stack.processes.values():
        process.wait_ready(timeout=READY_SECONDS)


@pytest_asyncio.fixture(scope="session")
async def web(make_database, tmp_path_factory) -> AsyncIterator[Web]:
    logs = tmp_path_factory.mktemp("browser_logs")
    databases = await fresh_databases(make_database)
    stack = Stack(databases, logs, {})
    failed = False
    try:
        await asyncio.to_thread(_start, stack)
        url = stack.url("api_gateway")
        settings = GatewaySettings(database_url=databases["api_gateway"], log_level="WARNING")
        teacher = await ensure_teacher(url, settings, email="teacher@browser.example.org")
        other = await ensure_teacher(url, settings, email="other@browser.example.org")
        admin = await _admin(url, settings)
        yield Web(
            stack,
            databases,
            Person(teacher.email, teacher.password, teacher.api_key),
            Person(other.email, other.password, other.api_key),
            admin,
            logs,
        )
    except BaseException:
        failed = True
        raise
    finally:
        await asyncio.to_thread(stack.stop)
        if failed:
            for log in sorted(logs.glob("*.log")):
                tail = "\n".join(log.read_text().splitlines()[-30:])
                print(f"--- {log.name} (last lines)\n{tail}")


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does it)",
            pytrace=False,
        )
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield chromium
        await chromium.close()


NewContext = Callable[..., Awaitable[Any]]


async def sign_in(context: Any, base_url: str, person: Person) -> None:
    """Signs ``context`` in through the gateway's login (its cookie lands in the context); the
    web app's own sign-in form is tested by the page tests."""
    answer = await context.request.post(
        f"{base_url}/v1/auth/login",
        data=json.dumps({"email": person.email, "password": person.password}),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status == 200, await answer.text()
    token = (await answer.json())["csrf_token"]
    # the web app keeps the CSRF token in the gw_csrf cookie for its forms (web/auth.py)
    await context.add_cookies([{"name": "gw_csrf", "value": token, "url": base_url}])


@pytest_asyncio.fixture
async def new_context(web: Web, browser: Any) -> AsyncIterator[NewContext]:
    made: list[Any] = []

    async def make(person: Person | None = None, **options: Any) -> Any:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-GB")
        options.setdefault("bypass_csp", False)
        context = await browser.new_context(base_url=web.base_url, **options)
        context.set_default_timeout(45_000)  # a loaded 2-core machine is slow, not wrong
        made.append(context)
        if person is not None:
            await sign_in(context, web.base_url, person)
        return context

    yield make
    for context in made:
        await context.close()


@pytest_asyncio.fixture
async def teacher_page(web: Web, new_context: NewContext) -> Any:
    context = await new_context(web.teacher)
    return await context.new_page()


async def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now. The script is put
    in through the DevTools protocol's evaluation (not a <script> tag), so the platform's CSP
    stays on for the page itself."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text("utf-8"))
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_check() -> Callable[[Any], Awaitable[None]]:
    async def check(page: Any) -> None:
        violations = await run_axe(page)
        assert violations == [], f"axe-core on {page.url}: {json.dumps(violations, indent=1)}"

    return check


def record_measure(figures: dict[str, Any]) -> None:
    """Figures for bench/web.py (``BROWSER_MEASURE_OUT``): reported, never asserted."""
    print("\nMEASURE", json.dumps(figures))
    out = os.environ.get("BROWSER_MEASURE_OUT")
    if out:
        with open(out, "a", encoding="utf-8") as sink:
            sink.write(json.dumps(figures) + "\n")


async def screenshot(page: Any, name: str) -> None:
    """docs/screenshots/<name>-desktop.png and -phone.png of the page as it is now."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(size)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{width_name}.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)


# ---------------------------------------------------------------- a batch judged by teachers

SAMPLES = REPO_ROOT / "samples" / "batch"
HUMAN_CJ = {"judge": "human", "max_comparisons_per_essay": 20, "min_comparisons_per_essay": 5}


@dataclass(frozen=True)
class JudgedBatch:
    batch_id: str
    assessment_id: str


async def comparisons(web: Web, assessment_id: str) -> int:
    async with web.api(web.teacher) as api:
        answer = await api.get(f"/v1/assessments/{assessment_id}")
        answer.raise_for_status()
        return int(answer.json()["comparisons"])


@pytest_asyncio.fixture(scope="session")
async def judged_batch(web: Web) -> JudgedBatch:
    """The teacher's batch of the sample essays (not the broken file), ranked by teachers:
    uploaded and started through the public API, until its human assessment is running."""
    from demo.client import Endpoints, Platform

    paths = sorted(p for p in SAMPLES.iterdir() if p.name != "broken.docx")
    async with Platform(Endpoints(**web.stack.urls), api_key=web.teacher.api_key) as platform:
        batch = await platform.create_batch(
            "Class 9B, argument essays",
            language="auto",
            expected_essay_count=len(paths),
            cj=HUMAN_CJ,
        )
        batch_id = str(batch["batch_id"])
        await platform.upload(batch_id, paths)
        await platform.wait_for_essays(batch_id, len(paths), within=180)
        await platform.start_pipeline(batch_id, within=180)
    async with web.api(web.teacher) as api:
        for _ in range(900):
            answer = await api.get("/v1/assessments", params={"batch_id": batch_id})
            items = [a for a in answer.json().get("items", []) if a["status"] == "running"]
            if items:
                return JudgedBatch(batch_id, str(items[0]["assessment_id"]))
            await asyncio.sleep(0.2)
    raise AssertionError(f"no running assessment for batch {batch_id}")
