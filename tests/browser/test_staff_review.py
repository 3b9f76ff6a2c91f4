"""A member of staff signs in through the sandbox tenant in Chromium, reads the one email in
the review queue (on a 320 px wide screen), confirms what it says, and sees it gone."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from consent_store.unit_of_work import Store
from domain.terms import Decision, Topic
from sandbox.seed import COORDINATOR
from tests.builders import PARENT, schedule
from tests.web.review_items import THEIR_WORDS, queue_item
from tests.web.staff_site import RunningSandbox, running_sandbox, serving_staff_pages

NARROW = {"width": 320, "height": 800}


@pytest.fixture(scope="module")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox() as running:
        yield running


async def test_staff_confirm_an_email_in_the_review_queue(
    store: Store, sandbox: RunningSandbox, page: Page, tmp_path: Path
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    await queue_item(store, meeting, parent)

    async with serving_staff_pages(store, sandbox.origin) as server:
        await page.goto(server.url("/tab"))
        await expect(page).to_have_title(re.compile("Sign in to"))
        await page.get_by_label(re.compile(COORDINATOR.display_name)).check()
        await page.get_by_role("button", name="Sign in").click()

        await expect(page).to_have_url(server.url("/tab"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
        await expect(page.get_by_text(f"Signed in as {COORDINATOR.display_name}")).to_be_visible()
        await page.get_by_role("link", name="Go to the review queue").click()

        await page.set_viewport_size(NARROW)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
        await expect(page.get_by_text("1 email is waiting")).to_be_visible()
        item = page.get_by_role("article")
        await expect(item).to_have_count(1)
        await expect(item.locator("blockquote")).to_have_text(THEIR_WORDS)
        await expect(item.get_by_label("Who is this from?")).to_have_value(parent)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow == 0, "the page fits a 320 px wide screen"
        await page.screenshot(path=str(tmp_path / "review-queue-320px.png"), full_page=True)

        await item.get_by_role("group", name="Recording the meeting").get_by_label("Given").check()
        await item.get_by_role("button", name="Confirm this reading").click()

        await expect(page.get_by_role("status")).to_contain_text("the reading was recorded")
        await expect(page.get_by_role("article")).to_have_count(0)
        await expect(page.get_by_text("No emails are waiting.")).to_be_visible()
        await expect(page.locator("body")).not_to_contain_text(PARENT.email)
        await page.screenshot(path=str(tmp_path / "review-queue-done.png"), full_page=True)

    async with store.unit_of_work() as uow:
        (decision,) = (await uow.meetings.facts(meeting)).decisions
    assert (decision.attendee_id, decision.topic, decision.decision) == (
        parent,
        Topic.RECORDING,
        Decision.GIVEN,
    )
