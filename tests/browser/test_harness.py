"""The harness itself: a real Chromium, the seven real processes, a signed-in teacher, axe."""

from __future__ import annotations

from tests.browser.conftest import run_axe


async def test_a_signed_in_context_is_the_teacher_at_the_gateway(web, teacher_page):
    answer = await teacher_page.request.get(f"{web.base_url}/v1/me")
    assert answer.status == 200
    assert (await answer.json())["email"] == web.teacher.email
    version = teacher_page.context.browser.version
    assert version.split(".")[0].isdigit()  # a real browser answered


async def test_a_context_without_sign_in_is_refused(web, new_context):
    context = await new_context()
    answer = await context.request.get(f"{web.base_url}/v1/me")
    assert answer.status == 401


async def test_axe_finds_a_serious_violation_when_there_is_one(new_context):
    """The checker can fail: an image without alt text and an unlabelled input are serious."""
    page = await (await new_context()).new_page()
    await page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body>'
        "</html>"
    )
    ids = {v["id"] for v in await run_axe(page)}
    assert {"image-alt", "label"} <= ids
