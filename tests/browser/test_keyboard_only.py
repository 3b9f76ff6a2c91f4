"""The scheduling story with the keyboard alone, no mouse: a skip link comes first, every step
has a visible focus, and the meeting is scheduled from the form with Tab, typing, arrow keys,
Space and Enter."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from bot.config import Settings
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, PARENT_CARER
from templates import UK_TIME
from tests.browser import test_make_run_story as story

running = story.running
"""The bot as `make run` serves it, with its sandbox tenant (the story test's fixture)."""

FOCUS_SHOWN = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return "nothing has focus";
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return "the focused element is not shown";
    const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadowed = style.boxShadow !== "none";
    const highlighted = style.backgroundColor === "rgb(255, 221, 0)";
    const shown = outlined || shadowed || highlighted;
    return shown ? "" : "no visible focus on " + e.outerHTML.slice(0, 120);
}"""


async def tab_to(page: Page, selector: str, *, most: int = 60) -> None:
    """Press Tab until `selector` has focus, checking each step shows where the focus is."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        problem = await page.evaluate(FOCUS_SHOWN)
        assert not problem, problem
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def test_scheduling_with_the_keyboard_alone(
    running: tuple[Settings, Store], page: Page
) -> None:
    settings, _ = running
    bot = f"http://localhost:{settings.port}"
    await page.goto(bot)
    await page.get_by_label(re.compile(COORDINATOR.display_name)).focus()
    await page.keyboard.press("Space")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")

    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()

    await tab_to(page, "a[href='/tab/meetings/new']")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a meeting")

    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(UK_TIME)
    await tab_to(page, "#title")
    await page.keyboard.type("Planning meeting")
    await tab_to(page, "#start")
    await page.locator("#start").fill(f"{start:%Y-%m-%d}T10:00")  # typed into as one value
    await tab_to(page, "#end")
    await page.locator("#end").fill("11:00")
    await tab_to(page, "#role-support")
    await page.keyboard.press("Space")
    await page.keyboard.press("ArrowDown")
    await expect(page.locator("#role-support-and-contribute")).to_be_checked()
    await tab_to(page, "#su-1-name")
    await page.keyboard.type(PARENT_CARER.display_name)
    await tab_to(page, "#su-1-email")
    await page.keyboard.type(PARENT_CARER.address)
    await tab_to(page, "button.govuk-button:not(.govuk-button--secondary)", most=80)
    await page.keyboard.press("Enter")

    await expect(page).to_have_url(re.compile(r"/tab/meetings/IASS-[0-9A-Z]{8}\?done=scheduled$"))
    await expect(page.get_by_role("status")).to_contain_text("The meeting was scheduled.")
