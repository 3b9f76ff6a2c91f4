"""The sandbox's pages in Chromium, as a newcomer plays the people around the bot: an outside
person replies "Yes" to a consent email from their inbox, and someone in a meeting room
starts the meeting and tries to record it, which Teams refuses. Screenshots go to the test's
`tmp_path`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import web
from playwright.async_api import Page, expect

from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from sandbox.app import create_sandbox_app
from sandbox.seed import (
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    PARENT_CARER,
    seeded_tenant,
)
from sandbox.tenant import Tenant
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.people import send_from_consent_mailbox


class ServedSandbox:
    def __init__(self, origin: str, tenant: Tenant) -> None:
        self.origin = origin
        self.tenant = tenant

    def config(self) -> GraphClientConfig:
        return GraphClientConfig(
            tenant_id=self.tenant.tenant_id,
            client_id=BOT_CLIENT_ID,
            client_secret=BOT_CLIENT_SECRET,
            graph_base_url=f"{self.origin}/v1.0",
            authority_rewrite_to=self.origin,
        )


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[ServedSandbox]:
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
    tenant.sandbox_url = origin
    yield ServedSandbox(origin, tenant)
    await runner.cleanup()


async def test_an_outside_person_replies_yes(
    served: ServedSandbox, page: Page, tmp_path: Path
) -> None:
    async with open_graph_client(served.config()) as graph:
        await send_from_consent_mailbox(graph, PARENT_CARER.address, "Recording your meeting")
    await page.set_viewport_size({"width": 320, "height": 800})
    await page.goto(f"{served.origin}/sandbox/")
    await page.get_by_role("link", name=PARENT_CARER.address).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(PARENT_CARER.display_name)
    await expect(page.get_by_role("heading", level=3)).to_have_text("Recording your meeting")

    await page.get_by_text("Reply", exact=True).click()
    await page.get_by_label("Your reply").fill("Yes")
    await expect(page.get_by_label("Include the original below my reply")).to_be_checked()
    await page.get_by_role("button", name="Send reply").click()

    await expect(page.get_by_role("status")).to_have_text(f"Reply sent to {CONSENT_MAILBOX.mail}.")
    await page.screenshot(path=str(tmp_path / "inbox-after-reply.png"), full_page=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320


async def test_recording_is_refused_in_the_meeting_room(
    served: ServedSandbox, page: Page, tmp_path: Path
) -> None:
    async with open_graph_client(served.config()) as graph:
        meeting = await meeting_with_bot(graph, "Annual review")
    assert meeting.id is not None
    await page.goto(f"{served.origin}/sandbox/meetings/{quote(meeting.id, safe='')}")
    await page.get_by_role("button", name="Open the meeting room").click()
    await page.get_by_role("button", name="Start the meeting").click()
    await expect(page.get_by_role("status")).to_contain_text("The meeting started")

    await page.get_by_role("button", name="Start recording").click()

    await expect(page.get_by_role("status")).to_contain_text(
        "Recording is turned off for this meeting"
    )
    await expect(page.get_by_text("Recording allowed: no.")).to_be_visible()
    await page.screenshot(path=str(tmp_path / "meeting-room-refused.png"), full_page=True)
