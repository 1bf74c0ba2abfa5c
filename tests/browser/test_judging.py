"""Pages 7 and 8 in Chromium: a teacher invites a colleague by link, the colleague judges 20
pairs with the keyboard alone, and the assessment's comparison count grows by exactly 20.
Also records the choice-to-next-pair times the browser itself measured (performance.measure,
reported in docs/benchmarks.md, never asserted) and the screenshots of both pages."""

from __future__ import annotations

import statistics
from urllib.parse import urlsplit

from tests.browser.conftest import comparisons, record_measure, run_axe, screenshot

PAIRS = 20
# a function, not an expression string: the page's CSP has no 'unsafe-eval'
MINE = "n => document.getElementById('judging').dataset.mine === n"


async def invite_by_page(page, web, batch_id: str) -> str:
    await page.goto(f"/batches/{batch_id}/judges")
    await page.get_by_label("Colleague's email (optional)").fill("colleague@school.example.org")
    await page.get_by_label("Link valid for (hours)").fill("48")
    await page.get_by_role("button", name="Create the invitation link").click()
    link = await page.locator("#invitation-url").input_value()
    parts = urlsplit(link)
    assert parts.path == "/judge" and parts.fragment.startswith("invitation=")
    # the link names the configured public address; the test's gateway listens elsewhere
    return f"{web.base_url}{parts.path}#{parts.fragment}"


async def next_pair_shown(page, previous: str | None) -> str:
    handle = await page.wait_for_function(
        """prev => { const p = document.getElementById('judging-pair');
                     return p && !p.hidden && p.dataset.pair && p.dataset.pair !== prev
                       && p.getAttribute('aria-busy') !== 'true' ? p.dataset.pair : null; }""",
        arg=previous,
        timeout=30_000,
    )
    return str(await handle.json_value())


async def test_a_colleague_judges_twenty_pairs_with_the_keyboard(
    web, judged_batch, new_context, axe_check
):
    teacher = await (await new_context(web.teacher)).new_page()
    link = await invite_by_page(teacher, web, judged_batch.batch_id)
    await axe_check(teacher)

    colleague_context = await new_context()  # nobody signed in: the link does it
    judge = await colleague_context.new_page()
    await judge.goto(link)
    await judge.wait_for_url(f"**/batches/{judged_batch.batch_id}/judge")
    before = await comparisons(web, judged_batch.assessment_id)

    shown = await next_pair_shown(judge, None)
    await axe_check(judge)
    await screenshot(judge, "judging")
    # what the page's script gets for a pair: the two texts and the pair's id, nothing more
    # (a judge never sees scores, essay ids or anyone else's choices)
    keys = await judge.evaluate(
        f"""async () => Object.keys(await (await fetch(
            '/batches/{judged_batch.batch_id}/judge/pair?assessment={judged_batch.assessment_id}'
        )).json()).sort()"""
    )
    assert keys == ["a", "b", "pair_id", "state"]
    seen = {shown}
    for i in range(PAIRS):
        await judge.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
        if i < PAIRS - 1:
            shown = await next_pair_shown(judge, shown)
            assert shown not in seen  # a new pair each time, never the one just judged
            seen.add(shown)
    await judge.wait_for_function(MINE, arg=str(PAIRS), timeout=30_000)
    after = await comparisons(web, judged_batch.assessment_id)
    assert after - before == PAIRS

    # a key pressed twice at once judges once: the second press finds the pair already sent
    await next_pair_shown(judge, None)
    await judge.keyboard.press("ArrowRight")
    await judge.keyboard.press("ArrowRight")
    await judge.wait_for_function(MINE, arg=str(PAIRS + 1), timeout=30_000)
    assert await comparisons(web, judged_batch.assessment_id) == before + PAIRS + 1

    times = await judge.evaluate(
        "performance.getEntriesByName('choice-to-pair').map(e => e.duration)"
    )
    assert len(times) >= 1
    record = {
        "choice_to_next_pair_ms": {
            "n": len(times),
            "median": round(statistics.median(times), 1),
            "max": round(max(times), 1),
        }
    }
    record_measure(record)

    # pause hides the essays and the keys do nothing; resume shows the same pair again
    held = await next_pair_shown(judge, None)
    await judge.keyboard.press("p")
    assert await judge.locator("#judging-pair").is_hidden()
    await judge.keyboard.press("ArrowLeft")
    await judge.keyboard.press("p")
    assert await next_pair_shown(judge, None) == held
    assert await comparisons(web, judged_batch.assessment_id) == before + PAIRS + 1

    # the judge's session opens nothing but its batch's judging page
    answer = await judge.goto(f"/batches/{judged_batch.batch_id}/judges")
    assert answer is not None and answer.status == 403

    # the teacher's judges page shows the colleague's judgements
    await teacher.goto(f"/batches/{judged_batch.batch_id}/judges")
    rows = teacher.locator("table.data tbody tr")
    assert await rows.count() >= 1
    assert f"{PAIRS + 1}" in await rows.first.inner_text() or any(
        f"{PAIRS + 1}" in await rows.nth(i).inner_text() for i in range(await rows.count())
    )
    assert await run_axe(teacher) == []
    await screenshot(teacher, "judges")

    # exclude the colleague: the scale is refitted without them (or, where cj_assessment has
    # no exclude route yet, the page says it is not available): never a silent success
    colleague_row = teacher.locator("table.data tbody tr", has_not_text="(you)").first
    await colleague_row.get_by_role("button", name="Exclude this judge").click()
    flash = await teacher.locator(".flash").inner_text()
    if "refitted" in flash:
        assert "Excluded" in await colleague_row.inner_text()
    else:
        assert "not available" in flash
