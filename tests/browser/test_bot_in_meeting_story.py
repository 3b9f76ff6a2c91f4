"""The bot in a meeting, seen in a browser: the meeting is scheduled with a parent carer, a
SENCO and one proposed document, and both agree by email (through the use case and the
sandbox's control API, as tests/tenant_flows/test_bot_in_meeting.py does); then everything
happens in the sandbox's meeting room page, as the people in the meeting would do it and see
it. The meeting starts and the page shows the bot's call established, its prompt played and
the opening card in the chat; the parent joins and a recording starts while it is allowed; a
stranger joins, the page says recording is no longer allowed and the chat shows the warning; a
file nobody agreed to is posted and the chat shows the refusal; the agreed document is posted
and the chat acknowledges it.

A screenshot of the room at the end goes to the test's folder, or to SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import aiohttp
from playwright.async_api import Page, expect

from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.services.scheduling import schedule_meeting
from bot.serving import sandbox_origin, sandbox_tenant
from consent_store.records import NewDocument
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from tests.browser import test_make_run_story as story
from tests.tenant_flows.conftest import People, parent_and_school_meeting

running = story.running
"""The bot as `make run` serves it, with its sandbox tenant (the story test's fixture)."""

AGREED_DOCUMENT = NewDocument("Draft EHC plan", "https://example.org/draft-ehc-plan")
PLAYED_PROMPT = re.compile(r"A spoken prompt of ([0-9]+\.[0-9]) seconds, (playing now|played)\.")
LOADED_DURATION = """audio => new Promise((resolve, reject) => {
    audio.addEventListener("loadedmetadata", () => resolve(audio.duration), {once: true});
    audio.addEventListener("error", () => reject(new Error("the prompt did not load")));
    audio.preload = "metadata";
    audio.load();
})"""
"""How long the player's sound is, in seconds, once the browser has read it."""
REFUSAL = "That file was not shared"
ACKNOWLEDGEMENT = "This file can stay shared"


async def agreed_meeting(settings: Settings, store: Store) -> str:
    """Schedule the meeting and have both invitees agree to everything; returns the
    onlineMeeting id once Teams allows recording."""
    tenant = sandbox_tenant(settings.port)
    start = datetime.now(UTC) + timedelta(days=2)
    async with open_tenant(tenant) as clients:
        scheduled = await schedule_meeting(
            store,
            clients.meetings,
            clients.mailbox,
            settings.service,
            parent_and_school_meeting(start, (AGREED_DOCUMENT,)),
            COORDINATOR.display_name,
        )
    async with aiohttp.ClientSession() as http:
        people = People(sandbox_origin(settings.port), http)
        await people.reply(PARENT_CARER.address, scheduled.reference, "Yes to all of it.")
        await people.reply(SENCO.address, scheduled.reference, "Yes, you can record it.")
        prompts_now = f"{sandbox_origin(settings.port)}/sandbox/api/calls/prompt-time-scale"
        async with http.put(prompts_now, json={"scale": 0}) as response:
            assert response.status in (200, 204), await response.text()

    async def teams_allows_recording() -> bool:
        async with store.reading() as uow:
            return bool((await uow.meetings.get(scheduled.meeting_id)).teams_recording_allowed)

    await story.until(teams_allows_recording)
    async with store.reading() as uow:
        online_meeting_id = (await uow.meetings.get(scheduled.meeting_id)).teams_meeting_id
    assert online_meeting_id is not None
    return online_meeting_id


async def reload_until_shown(page: Page, *wanted: str | re.Pattern[str]) -> None:
    """Reload the room until its text shows everything wanted (the bot answers Teams in its
    own time, and the page does not refresh itself)."""
    for _ in range(100):
        text = await page.locator("body").inner_text()
        if all((w in text) if isinstance(w, str) else w.search(text) is not None for w in wanted):
            return
        await asyncio.sleep(0.1)
        await page.reload()
    missing = [w for w in wanted if (w not in text if isinstance(w, str) else not w.search(text))]
    raise AssertionError(f"the meeting room never showed {missing}")


async def the_prompt_can_be_played(page: Page) -> None:
    """The played prompt has an audio player whose sound is as long as the seconds it says."""
    prompt = page.locator("li", has_text=PLAYED_PROMPT).first
    found = PLAYED_PROMPT.search(await prompt.inner_text())
    assert found is not None
    player = prompt.locator("audio")
    await expect(player).to_have_attribute("controls", "")
    seconds = await player.evaluate(LOADED_DURATION)
    assert abs(seconds - float(found[1])) <= 0.05


async def post_file(page: Page, name: str, message: str) -> None:
    await page.get_by_label("Post a file in the chat as").select_option(
        label=COORDINATOR.display_name
    )
    await page.get_by_label("File name").fill(name)
    await page.get_by_label("File content (text)").fill(f"the content of {name}")
    await page.get_by_label("Message with the file").fill(message)
    await page.get_by_role("button", name="Post the file").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Posted {name} in the chat.")


async def test_the_bot_in_the_meeting_room(
    running: tuple[Settings, Store], page: Page, tmp_path: Path
) -> None:
    settings, store = running
    sandbox = f"http://localhost:{settings.port + 1}"
    online_meeting_id = await agreed_meeting(settings, store)
    chat = page.locator("ul.cards")

    await page.goto(f"{sandbox}/sandbox/meetings/{quote(online_meeting_id, safe='')}")
    await page.get_by_role("button", name="Open the meeting room").click()
    await expect(page.get_by_text("Recording allowed: yes.")).to_be_visible()
    await expect(page.get_by_text("The bot has not joined the call.")).to_be_visible()
    await page.get_by_role("button", name="Start the meeting").click()
    await expect(page.get_by_role("status")).to_contain_text("The meeting started")
    await reload_until_shown(
        page, PLAYED_PROMPT, f"{COORDINATOR.display_name} from", "Recording: Permitted."
    )
    await expect(chat).to_contain_text("Documents: Some documents may be shared.")
    await the_prompt_can_be_played(page)

    await page.get_by_label("Admit an invited attendee").select_option(
        label=f"{PARENT_CARER.display_name} ({PARENT_CARER.address})"
    )
    await page.get_by_role("button", name="Admit", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(f"{PARENT_CARER.display_name} joined")
    await expect(page.get_by_label("Admit an invited attendee")).not_to_contain_text(
        PARENT_CARER.display_name
    )
    await page.get_by_label("Start recording as").select_option(label=COORDINATOR.display_name)
    await page.get_by_role("button", name="Start recording").click()
    await expect(page.get_by_role("status")).to_have_text("Recording started.")
    await expect(page.get_by_text("Being recorded: yes.")).to_be_visible()
    await expect(chat).not_to_contain_text("Recording is not permitted")

    await page.get_by_label("Admit a stranger named").fill("Pat Stranger")
    await page.get_by_role("button", name="Admit the stranger").click()
    await expect(page.get_by_role("status")).to_contain_text("Pat Stranger joined")
    await reload_until_shown(page, "Recording allowed: no.", "Recording is not permitted")
    await expect(chat).to_contain_text("Whoever started the recording, please stop it now.")

    await post_file(page, "Family finances.docx", "here it is")
    await reload_until_shown(page, REFUSAL)
    await expect(chat).not_to_contain_text(ACKNOWLEDGEMENT)

    await post_file(page, "Draft EHC plan.docx", "the draft plan")
    await reload_until_shown(page, ACKNOWLEDGEMENT)
    await expect(chat.get_by_text(REFUSAL)).to_have_count(1)
    await story.shots(tmp_path)(page, "7-bot-in-the-meeting-room")
