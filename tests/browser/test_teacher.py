"""The teacher flow in a real Chromium against the six services and the gateway as real
processes: sign in, create a batch, upload the sample essays (the broken file included),
start, watch it finish, read the results, download the CSV and check its rows, open an essay
page and see its corrections. axe-core checks every page; screenshots go to docs/screenshots/."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path

from service_kit.testing.processes import REPO_ROOT
from tests.browser.conftest import screenshot

SAMPLES = REPO_ROOT / "samples" / "batch"
ANCHORS = REPO_ROOT / "samples" / "anchors"
FINISH_WITHIN_MS = 240_000


async def test_the_teacher_flow(web, new_context, axe_check):
    context = await new_context(accept_downloads=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # sign in through the page
    await page.goto("/batches")
    assert "/sign-in" in page.url
    await page.get_by_label("Email").fill(web.teacher.email)
    await page.get_by_label("Password").fill(web.teacher.password)
    await axe_check(page)
    await screenshot(page, "sign-in")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/batches$"))

    # a new batch: every field through the form
    await page.get_by_role("link", name="New batch").first.click()
    await page.wait_for_url(re.compile(r"/batches/new$"))
    await axe_check(page)
    await screenshot(page, "new-batch")
    await page.get_by_label("Name").fill("Browser: school topics")
    await page.get_by_label("Detect").check()
    await page.get_by_label("Spelling and ranking").check()
    await page.get_by_label("The offline baseline").check()
    await page.get_by_label("Fewest comparisons per essay").fill("5")
    await page.get_by_label("Most comparisons per essay (the budget)").fill("12")
    await page.get_by_label("Grade scale (optional)").fill("E, C, A")
    for i, path in enumerate(sorted(ANCHORS.glob("*.txt"))):
        await page.get_by_label(f"Anchor {i + 1}: grade").fill(path.name.split("_", 1)[0])
        await page.get_by_label(f"Anchor {i + 1}: text").fill(path.read_text("utf-8"))
    await page.get_by_role("button", name="Create the batch").click()
    await page.wait_for_url(re.compile(r"/batches/[^/]+/upload$"))
    batch_id = page.url.rstrip("/").split("/")[-2]

    # upload every sample file at once; each gets its own outcome
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    await page.locator("#files").set_input_files([str(p) for p in files])
    rows = page.locator("#file-list li")
    await rows.nth(len(files) - 1).wait_for()
    assert await rows.count() == len(files)
    done = page.locator("#file-list li .outcome .status.ok, #file-list li .outcome .status.bad")
    await page.wait_for_function(
        "n => document.querySelectorAll('#file-list li .outcome .status.ok,"
        " #file-list li .outcome .status.bad').length === n",
        arg=len(files),
        timeout=120_000,
    )
    assert await done.count() == len(files)
    broken = page.locator("#file-list li", has_text="broken.docx")
    assert await broken.locator(".status.bad").count() == 1
    assert (await broken.locator(".outcome").inner_text()).strip() != "Rejected"  # says why
    await axe_check(page)
    await screenshot(page, "upload")

    # start (app.js follows 409 files_processing) and watch it finish without reloading
    await page.get_by_role("button", name="Start").click()
    await page.wait_for_url(re.compile(r"/progress$"), timeout=60_000)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    await axe_check(page)
    await screenshot(page, "progress")
    await page.get_by_role("link", name="See the results").wait_for(timeout=FINISH_WITHIN_MS)
    assert navigations == []  # the panel updated in place
    await screenshot(page, "progress-finished")
    await page.get_by_role("link", name="See the results").click()
    await page.wait_for_url(re.compile(r"/results$"))

    # the results: the table, the scale, the rejected file, the reliability in words
    accepted = [p.name for p in files if p.name != "broken.docx"]
    table_rows = page.locator("#results-table tbody tr")
    assert await table_rows.count() == len(accepted)
    assert await page.locator("svg.scale circle").count() == len(accepted)
    assert await page.locator("svg.scale rect[transform]").count() == 3  # the three anchors
    rejected = page.locator("section", has=page.get_by_role("heading", name="Rejected files"))
    assert "broken.docx" in await rejected.inner_text()
    assert "The reliability is" in await page.locator("main").inner_text()
    # sorting by file name, then back
    await page.get_by_role("button", name="File").click()
    names = await page.locator("#results-table tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names)
    await axe_check(page)
    await screenshot(page, "results")

    # the CSV
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download as CSV").click()
    download = await download_info.value
    text = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")
    csv_rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["filename"] for r in csv_rows) == sorted(accepted)
    assert all(r["rank"] for r in csv_rows)
    assert all(r["error_count"] != "" for r in csv_rows)

    # an essay with spelling mistakes: its corrections highlighted, its timeline
    await page.get_by_role("link", name="en02_phones_weak.docx").click()
    await page.wait_for_url(re.compile(r"/essays/"))
    marks = page.locator("main mark.corr")
    assert await marks.count() > 0, await page.locator("main").inner_text()
    first = marks.first
    assert await first.locator("del").count() == 1 and await first.locator("ins").count() == 1
    assert await page.locator("ol.timeline li").count() >= 2
    await axe_check(page)
    await screenshot(page, "essay")

    # the batches page lists it
    await page.get_by_role("link", name="Batches").first.click()
    assert await page.get_by_role("link", name="Browser: school topics").count() == 1
    await axe_check(page)
    await screenshot(page, "batches")
    assert batch_id
    assert errors == [], errors  # no script error and no CSP refusal in the console
