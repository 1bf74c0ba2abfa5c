"""Every page in Chromium at desktop and phone widths (docs/screenshots/), axe-core on each, and
the bytes of the first load of the batches page from the browser's own Resource Timing
(reported by bench/web.py in docs/benchmarks.md, never asserted as a speed goal)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.browser.conftest import SAMPLES, record_measure, run_axe, screenshot

FIRST_LOAD = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const all = [nav, ...resources];
  return {
    requests: all.length,
    transfer_bytes: all.reduce((s, e) => s + (e.transferSize || 0), 0),
    body_bytes: all.reduce((s, e) => s + (e.encodedBodySize || 0), 0),
    html_bytes: nav.encodedBodySize,
  };
}"""


async def finished_batch(web: Any) -> str:
    """A small batch ranked by the offline baseline judge, run to its end through the API."""
    from demo.client import FINISHED, Endpoints, Platform

    paths = sorted(p for p in SAMPLES.iterdir() if p.suffix == ".txt")[:4]
    paths.append(SAMPLES / "broken.docx")
    cj = {"judge": "baseline", "max_comparisons_per_essay": 6, "min_comparisons_per_essay": 3}
    async with Platform(Endpoints(**web.stack.urls), api_key=web.teacher.api_key) as platform:
        batch = await platform.create_batch(
            "Class 8A, letters", language="auto", expected_essay_count=len(paths), cj=cj
        )
        batch_id = str(batch["batch_id"])
        await platform.upload(batch_id, paths)
        await platform.wait_for_essays(batch_id, len(paths), within=180)
        await platform.start_pipeline(batch_id, within=180)
        await platform.wait_for(batch_id, FINISHED, within=300)
    return batch_id


async def test_every_page_at_both_widths_with_axe(web, judged_batch, new_context):
    violations: dict[str, Any] = {}

    async def shoot(page: Any, name: str) -> None:
        found = await run_axe(page)
        if found:
            violations[name] = found
        await screenshot(page, name)

    done_batch = asyncio.ensure_future(finished_batch(web))
    anonymous = await (await new_context()).new_page()
    await anonymous.goto("/sign-in")
    await shoot(anonymous, "sign-in")
    await anonymous.goto("/judge")
    await shoot(anonymous, "invitation")

    # the first load of the batches page: a fresh browser, nothing cached
    fresh = await (await new_context(web.teacher)).new_page()
    answer = await fresh.goto("/batches", wait_until="load")
    assert answer is not None and answer.status == 200
    figures = await fresh.evaluate(FIRST_LOAD)
    record_measure({"batches_first_load": figures})
    assert figures["transfer_bytes"] > figures["html_bytes"] > 0  # the timings are real

    page = await (await new_context(web.teacher)).new_page()
    await page.goto("/batches/new")
    await shoot(page, "new-batch")
    async with web.api(web.teacher) as api:
        made = await api.post("/v1/batches", json={"name": "Class 7C, poems", "language": "en"})
        made.raise_for_status()
    await page.goto(f"/batches/{made.json()['batch_id']}/upload")
    await shoot(page, "upload")

    batch_id = await done_batch
    await page.goto("/batches")
    await shoot(page, "batches")
    await page.goto(f"/batches/{batch_id}/progress")
    await shoot(page, "progress")
    await page.goto(f"/batches/{batch_id}/results")
    await shoot(page, "results")
    essay = page.locator("a[href^='/essays/']").first
    await page.goto(str(await essay.get_attribute("href")))
    await shoot(page, "essay")

    assert violations == {}, violations
