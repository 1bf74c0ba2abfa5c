"""Pages 8 and 9 and what every page must do, in Chromium: the language switch (and the
browser's language as the default), refused input kept and explained beside its field,
another teacher's batch pages as the 404 page, the admin page's chart, keys and audit log,
axe-core on each page, and the screenshots."""

from __future__ import annotations

import asyncio
import json
import uuid

from tests.browser.conftest import screenshot


async def test_the_language_is_the_browsers_until_the_user_switches(
    web, judged_batch, new_context, axe_check
):
    swedish = await (await new_context(web.teacher, locale="sv-SE")).new_page()
    await swedish.goto(f"/batches/{judged_batch.batch_id}/judges")
    assert await swedish.locator("h1").inner_text() == "Bedömare"
    assert await swedish.locator("html").get_attribute("lang") == "sv"
    await swedish.get_by_role("link", name="English").click()
    await swedish.wait_for_url(f"**/batches/{judged_batch.batch_id}/judges")
    assert await swedish.locator("h1").inner_text() == "Judges"
    assert await swedish.locator("html").get_attribute("lang") == "en"
    await swedish.get_by_role("link", name="Svenska").click()
    assert await swedish.locator("h1").inner_text() == "Bedömare"
    await axe_check(swedish)


async def test_a_refused_invitation_keeps_what_was_typed_beside_each_error(
    web, judged_batch, teacher_page, axe_check
):
    page = teacher_page
    await page.goto(f"/batches/{judged_batch.batch_id}/judges")
    await page.get_by_label("Colleague's email (optional)").fill("not an email")
    await page.get_by_label("Link valid for (hours)").fill("0")
    await page.get_by_role("button", name="Create the invitation link").click()
    assert await page.get_by_label("Colleague's email (optional)").input_value() == "not an email"
    assert await page.get_by_label("Link valid for (hours)").input_value() == "0"
    assert "email address" in await page.locator("#e-email").inner_text()
    assert "1 to 720" in await page.locator("#e-hours").inner_text()
    assert await page.locator("#f-email").get_attribute("aria-describedby") == "h-email e-email"
    assert await page.locator("#invitation-url").count() == 0  # nothing was made
    await axe_check(page)


async def test_another_teachers_batch_pages_are_the_404_page(
    web, judged_batch, new_context, axe_check
):
    other = await (await new_context(web.other_teacher)).new_page()
    missing = uuid.uuid4().hex
    for path in ("judge", "judges"):
        theirs = await other.goto(f"/batches/{judged_batch.batch_id}/{path}")
        assert theirs is not None and theirs.status == 404
        heading = await other.locator("h1").inner_text()
        nothing = await other.goto(f"/batches/{missing}/{path}")
        assert nothing is not None and nothing.status == 404
        assert await other.locator("h1").inner_text() == heading == "Page not found"
    # nor can they act on it
    answer = await other.request.post(
        f"/batches/{judged_batch.batch_id}/judge/choice",
        data=json.dumps(
            {
                "assessment_id": judged_batch.assessment_id,
                "pair_id": str(uuid.uuid4()),
                "winner": "a",
            }
        ),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status in (403, 404)
    await other.goto(f"/batches/{judged_batch.batch_id}/judges")
    await axe_check(other)
    await screenshot(other, "not-found")


async def test_the_admin_page_chart_keys_users_and_audit(web, new_context, axe_check):
    page = await (await new_context(web.admin)).new_page()
    for _ in range(40):  # analytics are flushed every few seconds
        await page.goto("/admin")
        if await page.locator("svg.bars rect.bar").count():
            break
        await asyncio.sleep(0.5)
    assert await page.locator("svg.bars rect.bar").count() >= 1
    assert await page.locator("svg.bars").get_attribute("role") == "img"
    audit = await page.locator("#audit-h + .tablewrap").inner_text()
    assert "login.succeeded" in audit

    # a key: refused without a name, then made and shown once, then revoked
    await page.get_by_role("button", name="Create a key").click()
    assert await page.locator("#e-name").is_visible()
    await page.get_by_label("Name of the new key").fill("School system")
    await page.get_by_role("button", name="Create a key").click()
    assert (await page.locator("#new-key").input_value()).startswith("egk_")
    await page.goto("/admin")
    await page.get_by_role("button", name="Revoke School system").click()
    assert "Revoked" in await page.locator("#keys").inner_text()

    # a user: a common password is refused beside its field, what was typed is kept
    await page.get_by_label("Email").fill("new.teacher@school.example.org")
    await page.get_by_label("Name (optional)").fill("New Teacher")
    await page.get_by_label("Initial password").fill("password1234")
    await page.get_by_role("button", name="Create the user").click()
    assert await page.get_by_label("Email").input_value() == "new.teacher@school.example.org"
    assert await page.get_by_label("Name (optional)").input_value() == "New Teacher"
    assert await page.locator("#e-password").is_visible()
    await page.get_by_label("Initial password").fill("correct horse battery staple 42")
    await page.get_by_role("button", name="Create the user").click()
    assert "new.teacher@school.example.org" in await page.locator(".flash").inner_text()
    await axe_check(page)
    await screenshot(page, "admin")

    teacher = await (await new_context(web.teacher)).new_page()
    answer = await teacher.goto("/admin")
    assert answer is not None and answer.status == 403
