"""Pressing Enter in a field of the scheduling or edit form sends the form to be saved, as a
person expects, and never presses an "Add another ..." button that comes before the form's own
button on the page."""

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


async def test_enter_in_a_field_schedules_or_saves_and_adds_no_row(
    running: tuple[Settings, Store], page: Page
) -> None:
    settings, _ = running
    bot = f"http://localhost:{settings.port}"
    await page.goto(bot)
    await page.get_by_label(re.compile(COORDINATOR.display_name)).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Schedule a meeting").click()

    await page.locator("#title").fill("Planning meeting")
    await page.locator("#title").press("Enter")
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("There is a problem")
    await expect(summary).to_contain_text("Enter the date and time the meeting starts.")
    await expect(page.locator("#su-2-name")).to_have_count(0)
    await expect(page.locator("#at-2-name")).to_have_count(0)

    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(UK_TIME)
    await page.locator("#start").fill(f"{start:%Y-%m-%d}T10:00")
    await page.locator("#end").fill("11:00")
    await page.locator("#role-support").check()
    await page.locator("#su-1-name").fill(PARENT_CARER.display_name)
    await page.locator("#su-1-email").fill(PARENT_CARER.address)
    await page.locator("#su-1-email").press("Enter")
    await expect(page).to_have_url(re.compile(r"/tab/meetings/IASS-[0-9A-Z]{8}\?done=scheduled$"))
    await expect(page.get_by_role("status")).to_contain_text("The meeting was scheduled.")

    await page.get_by_role("link", name="Change this meeting").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Change meeting")
    await page.locator("#title").fill("Planning meeting, moved")
    await page.locator("#title").press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Planning meeting, moved")
    await expect(page.locator("#doc-2-title")).to_have_count(0)
