"""The `make run` story in a browser, as far as it is built: a staff member signs in and sees
the meeting; the parent and the school reply from their sandbox inboxes; the reply with a
condition reaches the review queue and staff confirm it; Teams then allows recording, and
in the sandbox's meeting room a recording can start.

Screenshots go to the test's folder, or to SCREENSHOT_DIR when set (the README's
pictures are made that way).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.async_api import Page, expect

from bot.cli.main import main
from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.policy.terms import AttendeeKind, DeclaredRole
from bot.services.scheduling import ScheduledMeeting, schedule_meeting
from bot.serving import sandbox_tenant
from consent_store.records import NewAttendee, NewDocument, NewMeeting
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from tests import databases
from tests.served_bot import bot_with_sandbox, free_port_pair


@pytest.fixture
async def running(
    env_without_iass: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> AsyncIterator[tuple[Settings, Store]]:
    monkeypatch.setenv(
        "IASS_DATABASE_URL", databases.clone_sqlite(sqlite_template, env_without_iass)
    )
    monkeypatch.setenv("PORT", str(free_port_pair()))
    assert main(["keys", "init"]) == 0
    settings = Settings()
    async with bot_with_sandbox(settings):
        store = Store.open(settings.database_url, settings.key_ring())
        yield settings, store
        await store.close()


def shots(tmp_path: Path) -> Callable[[Page, str], Awaitable[None]]:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)

    async def take(page: Page, name: str) -> None:
        await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(100):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("did not happen in time")


async def scheduled(settings: Settings, store: Store) -> ScheduledMeeting:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    async with open_tenant(sandbox_tenant(settings.port)) as tenant:
        return await schedule_meeting(
            store,
            tenant.meetings,
            tenant.mailbox,
            settings.service,
            NewMeeting(
                title="Planning meeting",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                organiser_user_id=COORDINATOR.object_id,
                declared_role=DeclaredRole.SUPPORT_AND_CONTRIBUTE,
                recording_requested=True,
                attendees=(
                    NewAttendee(
                        PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER
                    ),
                    NewAttendee(
                        SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL, "Fellside"
                    ),
                ),
                documents=(NewDocument("School report", "https://example.com/report.docx"),),
            ),
            COORDINATOR.display_name,
        )


async def reply_from_inbox(
    page: Page, sandbox: str, address: str, reference: str, text: str
) -> None:
    await page.goto(f"{sandbox}/sandbox/people/{quote(address)}")
    request = page.get_by_role("listitem").filter(has_text=reference)
    await request.get_by_text("Reply", exact=True).click()
    await request.get_by_label("Your reply").fill(text)
    await request.get_by_role("button", name="Send reply").click()
    await expect(page.get_by_role("status")).to_contain_text("Reply sent")


async def test_the_make_run_story(
    running: tuple[Settings, Store], page: Page, tmp_path: Path
) -> None:
    settings, store = running
    bot, sandbox = f"http://localhost:{settings.port}", f"http://localhost:{settings.port + 1}"
    shot = shots(tmp_path)
    meeting = await scheduled(settings, store)
    assert meeting.needs_attention is None

    await page.goto(bot)
    await expect(page).to_have_title(re.compile("Sign in to"))
    await page.get_by_label(re.compile(COORDINATOR.display_name)).check()
    await shot(page, "1-sandbox-sign-in")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    await expect(page.get_by_text(meeting.reference)).to_be_visible()
    await shot(page, "2-staff-home")

    await reply_from_inbox(page, sandbox, PARENT_CARER.address, meeting.reference, "Yes")
    await shot(page, "3-parent-replies")
    await reply_from_inbox(
        page,
        sandbox,
        SENCO.address,
        meeting.reference,
        "Yes, as long as the recording is deleted after the meeting.",
    )

    async def queued() -> bool:
        async with store.reading() as uow:
            facts = await uow.meetings.facts(meeting.meeting_id)
        return len(facts.decisions) >= 3

    await until(queued)
    await page.goto(f"{bot}/tab/review")
    item = page.get_by_role("article")
    await expect(item).to_contain_text("as long as the recording is deleted")
    await shot(page, "4-review-queue")
    await item.get_by_role("group", name="Recording the meeting").get_by_label("Given").check()
    await item.get_by_role("button", name="Confirm this reading").click()
    await expect(page.get_by_role("status")).to_contain_text("the reading was recorded")

    async def teams_allows_recording() -> bool:
        async with store.reading() as uow:
            return bool((await uow.meetings.get(meeting.meeting_id)).teams_recording_allowed)

    await until(teams_allows_recording)
    async with store.reading() as uow:
        teams_id = (await uow.meetings.get(meeting.meeting_id)).teams_meeting_id
    assert teams_id is not None
    await page.goto(f"{sandbox}/sandbox/meetings/{quote(teams_id, safe='')}")
    await page.get_by_role("button", name="Open the meeting room").click()
    await page.get_by_role("button", name="Start the meeting").click()
    await expect(page.get_by_text("Recording allowed: yes.")).to_be_visible()
    await page.get_by_role("button", name="Start recording").click()
    await expect(page.get_by_role("status")).not_to_contain_text("turned off")
    await shot(page, "5-meeting-room")
