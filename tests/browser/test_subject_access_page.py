"""The subject access report as the person reads it in a browser."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from consent_store.subject_access import subject_access_report
from consent_store.unit_of_work import Store
from tests.builders import PARENT, SENCO, reply, schedule


async def test_a_person_reads_their_report(store: Store, page: Page, tmp_path: Path) -> None:
    meeting, (parent, senco, _) = await schedule(store)
    await reply(store, meeting, parent, PARENT.email, phrase="Yes, recording is fine by me.")
    await reply(store, meeting, senco, SENCO.email, phrase="Fine from the school's side.")
    async with store.unit_of_work() as uow:
        html = (await subject_access_report(uow, PARENT.email)).to_html()
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")

    await page.goto(report.as_uri())
    await expect(page.get_by_role("heading", level=1)).to_have_text("Subject access report")
    invitations = page.locator("table").nth(0)
    await expect(invitations).to_contain_text(PARENT.name)
    await expect(invitations).to_contain_text("parent carer")
    decisions = page.get_by_role("heading", name="Your answers about consent").locator(
        "xpath=following-sibling::ul[1]"
    )
    await expect(decisions).to_contain_text("you were asked about recording the meeting")
    await expect(decisions).to_contain_text("Your answer, given, was received on")
    await expect(decisions).to_contain_text("Yes, recording is fine by me.")
    await expect(page.locator("body")).not_to_contain_text('{"')
    await expect(page.locator("body")).not_to_contain_text("Fine from the school's side.")
    await expect(page.locator("body")).not_to_contain_text(SENCO.name)
    await page.screenshot(path=str(tmp_path / "subject-access-report.png"), full_page=True)
