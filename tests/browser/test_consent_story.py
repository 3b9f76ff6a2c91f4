"""The consent story in a browser: a staff member schedules a meeting with three attendees
and recording wanted; the three reply from their sandbox inboxes and one refuses; the meeting
page says recording is not permitted and why; the refuser changes their mind; recording
becomes permitted on the meeting page and in the sandbox meeting's settings, and the organiser
finds both changes explained in their own inbox.

Screenshots go to the test's folder, or to SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.config import Settings
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from domain.terms import Decision
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO, SEND_OFFICER
from templates import UK_TIME
from tests.browser import test_make_run_story as story

running = story.running
"""The bot as `make run` serves it, with its sandbox tenant (the story test's fixture)."""

REFUSAL = "No, I'd rather it wasn't recorded, sorry."
CHANGE_OF_MIND = "Sorry for the trouble. Yes, you can record the meeting."


async def schedule_three_attendees(page: Page, bot: str) -> str:
    """Schedule through the form with a parent carer, a SENCO and a SEND officer, recording
    wanted; returns the new meeting's reference."""
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(UK_TIME)
    await page.goto(f"{bot}/tab/meetings/new")
    await page.locator("#title").fill("Transition planning")
    await page.locator("#start").fill(f"{start:%Y-%m-%d}T14:00")
    await page.locator("#end").fill("15:00")
    await page.locator("#role-support").check()
    await page.locator("#record").check()
    await page.locator("#su-1-name").fill(PARENT_CARER.display_name)
    await page.locator("#su-1-email").fill(PARENT_CARER.address)
    await page.locator("#su-1-kind-parent_carer").check()
    for row, (person, organisation) in enumerate(
        ((SENCO, "Fellside Primary"), (SEND_OFFICER, "Westmorland and Furness Council")), 1
    ):
        if row > 1:
            await page.get_by_role("button", name="Add another attendee").click()
        await page.locator(f"#at-{row}-name").fill(person.display_name)
        await page.locator(f"#at-{row}-email").fill(person.address)
        await page.locator(f"#at-{row}-organisation").fill(organisation)
        await page.locator(f"#at-{row}-kind-professional").check()
    await page.get_by_role("button", name="Schedule the meeting").click()
    await expect(page).to_have_url(re.compile(r"/tab/meetings/IASS-[0-9A-Z]{8}\?done=scheduled$"))
    return page.url.rsplit("/", 1)[1].removesuffix("?done=scheduled")


async def reply_to_request(
    page: Page, sandbox: str, address: str, reference: str, text: str
) -> None:
    """Answer the consent request (not a receipt) from the person's sandbox inbox."""
    await page.goto(f"{sandbox}/sandbox/people/{quote(address)}")
    request = page.get_by_role("listitem").filter(has_text=f"please reply [{reference}]")
    await request.get_by_text("Reply", exact=True).click()
    await request.get_by_label("Your reply").fill(text)
    await request.get_by_role("button", name="Send reply").click()
    await expect(page.get_by_role("status")).to_contain_text("Reply sent")


async def test_a_refusal_and_a_change_of_mind(
    running: tuple[Settings, Store], page: Page, tmp_path: Path
) -> None:
    settings, store = running
    bot, sandbox = f"http://localhost:{settings.port}", f"http://localhost:{settings.port + 1}"
    shot = story.shots(tmp_path)

    await page.goto(bot)
    await page.get_by_label(re.compile(COORDINATOR.display_name)).check()
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")

    reference = await schedule_three_attendees(page, bot)
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
    assert meeting.teams_meeting_id is not None
    room = f"{sandbox}/sandbox/meetings/{quote(meeting.teams_meeting_id, safe='')}"

    await reply_to_request(page, sandbox, PARENT_CARER.address, reference, "Yes, that's fine.")
    await reply_to_request(
        page, sandbox, SENCO.address, reference, "Yes, you can record the meeting."
    )
    await reply_to_request(page, sandbox, SEND_OFFICER.address, reference, REFUSAL)

    async def everyone_answered() -> bool:
        async with store.reading() as uow:
            facts = await uow.meetings.facts(meeting.id)
        answered = {d.attendee_id for d in facts.decisions}
        return answered >= {a.id for a in facts.attendees} and any(
            d.decision is Decision.REFUSED for d in facts.decisions
        )

    await story.until(everyone_answered)
    await page.goto(f"{bot}/tab/meetings/{reference}")
    await expect(page.locator("#recording-answer")).to_have_text("Recording not permitted")
    reasons = page.get_by_role("list").filter(has_text="refused consent")
    await expect(reasons).to_have_text(
        f"{SEND_OFFICER.display_name} refused consent to recording the meeting."
    )
    await shot(page, "consent-1-refused")
    await page.goto(room)
    await page.get_by_role("button", name="Open the meeting room").click()
    await expect(page.get_by_text("Recording allowed: no.")).to_be_visible()

    # Mail is stamped to the second, and two answers from one person in the same second
    # are a tie the gate settles by refusing; a person changing their mind takes longer.
    await asyncio.sleep(1.1)
    await reply_to_request(page, sandbox, SEND_OFFICER.address, reference, CHANGE_OF_MIND)

    async def teams_allows_recording() -> bool:
        async with store.reading() as uow:
            return bool((await uow.meetings.get(meeting.id)).teams_recording_allowed)

    await story.until(teams_allows_recording)
    await page.goto(f"{bot}/tab/meetings/{reference}")
    await expect(page.locator("#recording-answer")).to_have_text("Recording permitted")
    await expect(page.get_by_text("refused consent")).to_have_count(0)
    await shot(page, "consent-2-permitted")
    await page.goto(room)
    await expect(page.get_by_text("Recording allowed: yes.")).to_be_visible()
    await shot(page, "consent-3-sandbox-meeting")

    async def organiser_told() -> bool:
        async with store.reading() as uow:
            entries = await uow.session.scalars(
                select(AuditEntryRow.action).where(AuditEntryRow.meeting_id == meeting.id)
            )
            return "organiser.told" in set(entries)

    await story.until(organiser_told)
    await page.goto(f"{sandbox}/sandbox/people/{quote(COORDINATOR.mail)}")
    notice = page.get_by_role("listitem").filter(has_text=reference)
    await expect(notice).to_have_count(1)
    await expect(notice).to_contain_text("Teams now allows recording")
    await expect(notice).not_to_contain_text(SEND_OFFICER.display_name)
    await shot(page, "consent-4-organiser-inbox")
