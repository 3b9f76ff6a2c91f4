"""The service manager signs in through the sandbox tenant in Chromium, opens the statistics from
the navigation and reads the meetings chart: a month with 1 to 9 meetings is shown as
suppressed, not drawn and not numbered, as in the table beside it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from consent_store.unit_of_work import Store
from sandbox.seed import SERVICE_MANAGER
from tests.web.staff_site import RunningSandbox, running_sandbox, serving_staff_pages
from tests.web.test_statistics_page import meetings_by_month


@pytest.fixture(scope="module")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox() as running:
        yield running


async def test_a_month_with_few_meetings_is_charted_as_suppressed(
    store: Store, sandbox: RunningSandbox, page: Page, tmp_path: Path
) -> None:
    await meetings_by_month(store)  # 12 in October, 15 in November, 3 in December

    async with serving_staff_pages(store, sandbox.origin) as server:
        await page.goto(server.url("/tab"))
        await expect(page).to_have_title(re.compile("Sign in to"))
        await page.get_by_label(re.compile(SERVICE_MANAGER.display_name)).check()
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
        await (
            page.get_by_role("navigation", name="Staff pages")
            .get_by_role("link", name="Statistics")
            .click()
        )
        await expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")

        chart = page.get_by_role("img", name="Meetings held, by month")
        await expect(chart).to_be_visible()
        december = chart.locator("g[data-month='2026-12']")
        await expect(december).to_have_text(re.compile(r"^\s*Dec 2026\s*suppressed\s*$"))
        await expect(december.locator("rect")).to_have_count(0)
        await expect(december).not_to_contain_text("3")
        november = chart.locator("g[data-month='2026-11']")
        await expect(november).to_have_text(re.compile(r"^\s*Nov 2026\s*15\s*$"))
        await expect(november.locator("rect")).to_have_count(1)
        description = await chart.locator("desc").text_content()
        assert description is not None
        assert "December 2026: suppressed" in description
        assert "November 2026: 15" in description

        table = page.get_by_role("table", name="Meetings and recording, by month")
        row = table.get_by_role("row", name=re.compile("December 2026"))
        await expect(row.get_by_role("cell").first).to_have_text("suppressed")
        total = table.get_by_role("row", name=re.compile("^Total"))
        await expect(total.get_by_role("cell").first).to_have_text("30")
        await page.screenshot(path=str(tmp_path / "statistics.png"), full_page=True)
