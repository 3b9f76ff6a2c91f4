"""The `make run` story in a browser, following only what a newcomer can see and click (no
ids read from the store): a staff member signs in and schedules a meeting with the form (a
short form, a banner saying it was scheduled); the parent's sandbox inbox holds the calendar
invitation with its join link, which opens the meeting's room; the parent and the school
reply from their sandbox inboxes; the reply with a condition reaches the review queue, staff
confirm it and the school gets a receipt; the meeting page then says Teams allows recording,
its "Join the meeting in Teams" link opens the sandbox's room, a recording can start there,
and the meeting page says recording is permitted. In the room the parent is admitted and
objects to recording in the chat ("stop recording" to the bot): Teams stops allowing
recording and the chat says so. The recording made while Teams allowed it runs on until the
meeting ends; Teams then makes it, and the meeting page shows the backstop's alert: a
recording made without consent, since recording stopped being permitted before it ended.

Screenshots go to the test's folder, or to SCREENSHOT_DIR when set (the README's pictures are
made that way, with `SCREENSHOT_DIR=docs/screenshots` from the repository's root).
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
from playwright.async_api import Locator, Page, expect

from bot.cli.main import main
from bot.config import Settings
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from templates import UK_TIME
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


REPOSITORY = Path(__file__).resolve().parents[2]


def shots(tmp_path: Path) -> Callable[[Page, str], Awaitable[None]]:
    """Saves a page's screenshot by name in SCREENSHOT_DIR (a relative one is taken from the
    repository's root, as the README runs it: the fixtures move into the test's folder), or
    in the test's folder."""
    folder = (
        REPOSITORY / os.environ["SCREENSHOT_DIR"] if os.environ.get("SCREENSHOT_DIR") else tmp_path
    )

    async def take(page: Page, name: str) -> None:
        await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(100):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("did not happen in time")


async def schedule_in_the_form(page: Page, bot: str) -> str:
    """Fill in and send the scheduling form; returns the new meeting's reference."""
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(UK_TIME)
    await page.goto(f"{bot}/tab")
    await page.get_by_role("link", name="Schedule a meeting").click()
    await page.locator("#title").fill("Planning meeting")
    await page.locator("#start").fill(f"{start:%Y-%m-%d}T10:00")
    await page.locator("#end").fill("11:00")
    await page.locator("#role-support-and-contribute").check()
    await page.locator("#record").check()
    await page.locator("#su-1-name").fill(PARENT_CARER.display_name)
    await page.locator("#su-1-email").fill(PARENT_CARER.address)
    await page.locator("#su-1-kind-parent_carer").check()
    await page.locator("#at-1-name").fill(SENCO.display_name)
    await page.locator("#at-1-email").fill(SENCO.address)
    await page.locator("#at-1-organisation").fill("Fellside Primary")
    await page.locator("#at-1-kind-professional").check()
    await page.locator("#doc-1-title").fill("School report")
    await page.locator("#doc-1-url").fill("https://example.com/report.docx")
    height = await page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the scheduling form is {height} px tall"
    await page.get_by_role("button", name="Schedule the meeting").click()
    await expect(page).to_have_url(re.compile(r"/tab/meetings/IASS-[0-9A-Z]{8}\?done=scheduled$"))
    await expect(page.get_by_role("status")).to_contain_text("The meeting was scheduled.")
    reference = await page.locator("dt:text-is('Reference') + dd").text_content()
    assert reference is not None
    return reference.strip()


async def reload_until(
    page: Page, shown: Callable[[], Awaitable[bool]], *, tries: int = 100
) -> None:
    """Reload the page, as a person would, until `shown` sees what they are waiting for."""
    for _ in range(tries):
        if await shown():
            return
        await asyncio.sleep(0.1)
        await page.reload()
    raise AssertionError("did not show in time")


async def reply_from_inbox(
    page: Page, sandbox: str, address: str, reference: str, text: str
) -> None:
    await page.goto(f"{sandbox}/sandbox/people/{quote(address)}")
    request = page.get_by_role("listitem").filter(has_text=reference)
    await request.get_by_text("Reply", exact=True).click()
    await request.get_by_label("Your reply").fill(text)
    await request.get_by_role("button", name="Send reply").click()
    await expect(page.get_by_role("status")).to_contain_text("Reply sent")


async def see_the_invitation(
    page: Page, sandbox: str, shot: Callable[[Page, str], Awaitable[None]]
) -> None:
    """The parent's inbox holds the meeting's calendar invitation, whose join link opens the
    meeting's room in the sandbox (not open yet)."""
    await page.goto(f"{sandbox}/sandbox/people/{quote(PARENT_CARER.address)}")
    invitation = page.get_by_role("listitem").filter(has_text="Meeting invitation")
    await reload_until(page, lambda: _has(invitation))
    await expect(invitation).to_contain_text("Planning meeting")
    await expect(invitation).to_contain_text("Teams join link: https://teams.microsoft.com/l/")
    await shot(page, "2c-invitation-in-the-parents-inbox")
    await invitation.get_by_role("link", name="Join the meeting now").click()
    await expect(page).to_have_title("Meeting: Planning meeting")
    await expect(page.get_by_role("button", name="Open the meeting room")).to_be_visible()


async def _has(found: Locator) -> bool:
    return await found.count() > 0


async def _says(found: Locator, words: str) -> bool:
    return (await found.text_content() or "").strip() == words


async def test_the_make_run_story(
    running: tuple[Settings, Store], page: Page, tmp_path: Path
) -> None:
    settings, _ = running  # the other stories read the store; this one only looks and clicks
    await walk_the_make_run_story(settings.port, page, shots(tmp_path))


async def walk_the_make_run_story(
    port: int, page: Page, shot: Callable[[Page, str], Awaitable[None]]
) -> None:
    """The story against the bot on localhost:`port` and its sandbox on the next port, with
    `shot` taking its screenshots."""
    bot, sandbox = f"http://localhost:{port}", f"http://localhost:{port + 1}"

    await page.goto(bot)
    await expect(page).to_have_title(re.compile("Sign in to"))
    await page.get_by_label(re.compile(COORDINATOR.display_name)).check()
    await shot(page, "1-sandbox-sign-in")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    await shot(page, "2-staff-home")

    reference = await schedule_in_the_form(page, bot)
    await expect(page.get_by_role("alert")).to_have_count(0)
    await shot(page, "2b-meeting-page-before-replies")
    await see_the_invitation(page, sandbox, shot)

    await reply_from_inbox(page, sandbox, PARENT_CARER.address, reference, "Yes")
    await shot(page, "3-parent-replies")
    await reply_from_inbox(
        page,
        sandbox,
        SENCO.address,
        reference,
        "Yes, as long as the recording is deleted after the meeting.",
    )

    await page.goto(f"{bot}/tab")
    await page.get_by_role("link", name="Go to the review queue").click()
    item = page.get_by_role("article")
    await reload_until(page, lambda: _has(item))
    await expect(item).to_contain_text("as long as the recording is deleted")
    await expect(item).to_contain_text("Planning meeting")
    await shot(page, "4-review-queue")
    await item.get_by_role("group", name="Recording the meeting").get_by_label("Given").check()
    await item.get_by_label("Their condition").fill("The recording is deleted after the meeting.")
    await item.get_by_role("button", name="Confirm this reading").click()
    await expect(page.get_by_role("status")).to_contain_text("the reading was recorded")

    await page.goto(f"{sandbox}/sandbox/people/{quote(SENCO.address)}")
    receipt = page.get_by_role("listitem").filter(has_text="We have recorded your answer")
    await reload_until(page, lambda: _has(receipt))

    await page.goto(f"{bot}/tab")
    await page.get_by_role("link", name="Planning meeting").first.click()
    allowed = page.locator("dt:text-is('Teams allows recording now') + dd")
    await reload_until(page, lambda: _says(allowed, "Yes"))
    async with page.context.expect_page() as opened:
        await page.get_by_role("link", name="Join the meeting in Teams").click()
    room = await opened.value
    await room.get_by_role("button", name="Open the meeting room").click()
    await room.get_by_role("button", name="Start the meeting").click()
    await expect(room.get_by_text("Recording allowed: yes.")).to_be_visible()
    await room.get_by_role("button", name="Start recording").click()
    await expect(room.get_by_role("status")).not_to_contain_text("turned off")
    await shot(room, "5-meeting-room")

    await page.goto(f"{bot}/tab/meetings/{reference}")
    await expect(page.get_by_text("Recording permitted", exact=True)).to_be_visible()
    await shot(page, "6-meeting-page")

    await object_in_the_chat(room)
    await shot(room, "7-objection-in-the-meeting")
    await room.get_by_role("button", name="End the meeting").click()
    await expect(room.get_by_role("status")).to_contain_text("The meeting ended.")
    await room.close()

    await page.goto(f"{bot}/tab/meetings/{reference}")
    alert = page.get_by_role("alert").filter(has_text="A recording made without consent")
    await reload_until(page, lambda: _has(alert), tries=300)
    await expect(
        page.get_by_text("Recording stopped being permitted during the meeting").first
    ).to_be_visible()
    await shot(page, "8-backstop-alert")


async def object_in_the_chat(room: Page) -> None:
    """In the room, once the bot has posted its opening card (with its button to object), the
    parent is admitted and writes "stop recording" to the bot: Teams stops allowing recording
    and the bot says so in the chat (the recording already running goes on, as in Teams)."""
    object_button = room.get_by_role("button", name="Press “I do not agree to recording”")
    await reload_until(room, lambda: _has(object_button), tries=300)
    await room.get_by_label("Admit an invited attendee").select_option(
        label=f"{PARENT_CARER.display_name} ({PARENT_CARER.address})"
    )
    await room.get_by_role("button", name="Admit", exact=True).click()
    await expect(room.get_by_role("status")).to_contain_text(f"{PARENT_CARER.display_name} joined")
    await room.get_by_label("Write to the bot (@mention) as").select_option(
        label=PARENT_CARER.display_name
    )
    await room.get_by_label("Message", exact=True).fill("Please stop recording.")
    await room.get_by_role("button", name="Send to the bot").click()
    await expect(room.get_by_role("status")).to_contain_text("Sent to the bot.")
    switched_off = room.get_by_text("switched off for the rest of this meeting")
    await reload_until(room, lambda: _has(switched_off))
    await expect(room.get_by_text("Recording allowed: no.")).to_be_visible()
    await expect(room.get_by_text("Being recorded: yes.")).to_be_visible()
