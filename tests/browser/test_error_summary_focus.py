"""A scheduling form sent back with problems puts the keyboard focus on its error summary, so a
screen reader reads the problems first and Tab goes on to the first one's link (GOV.UK's error
summary pattern); whether the form was sent with the button or with Enter in a field."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from bot.config import Settings
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR
from tests.browser import test_make_run_story as story

running = story.running
"""The bot as `make run` serves it, with its sandbox tenant (the story test's fixture)."""

FOCUSED = "() => document.activeElement.className"


async def test_the_error_summary_has_the_focus_when_the_form_comes_back(
    running: tuple[Settings, Store], page: Page
) -> None:
    settings, _ = running
    bot = f"http://localhost:{settings.port}"
    await page.goto(bot)
    await page.get_by_label(re.compile(COORDINATOR.display_name)).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Schedule a meeting").click()

    await page.locator("#title").fill("Planning meeting")
    await page.get_by_role("button", name="Schedule the meeting").last.click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter the date and time the meeting starts.")
    await expect(summary).to_be_focused()
    assert await page.evaluate(FOCUSED) == "govuk-error-summary"

    await page.keyboard.press("Tab")
    await expect(summary.get_by_role("link").first).to_be_focused()

    await page.locator("#title").press("Enter")
    await expect(summary).to_contain_text("Enter the date and time the meeting starts.")
    await expect(summary).to_be_focused()
