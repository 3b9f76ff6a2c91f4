"""A fresh sandbox tenant per test (so mailboxes start empty), the product's Graph client on
it, and the consent mailbox as the bot sees it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web

from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.graph.mailbox import ConsentMailbox
from bot.services.recording_setting import QUICK_RETRY_DELAYS
from bot.services.scheduling import LOOKUP_DELAYS
from consent_store.records import NewAttendee, NewDocument, NewMeeting
from domain.terms import AttendeeKind, DeclaredRole
from sandbox.app import create_sandbox_app
from sandbox.seed import (
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    COORDINATOR,
    PARENT_CARER,
    SENCO,
    seeded_tenant,
)
from tests.sandbox.conftest import RunningSandbox


@pytest.fixture
async def tenant_sandbox() -> AsyncIterator[RunningSandbox]:
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield RunningSandbox(f"http://127.0.0.1:{runner.addresses[0][1]}", runner.app, tenant)
    await runner.cleanup()


@pytest.fixture
def graph_retried_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's own retries of Graph (a recording or settings change not confirmed, an
    event's Teams meeting not found) made as many times but without their pauses (1.7 s and
    3.5 s): for tests whose faults count requests rather than last a time."""
    for name, delays in (
        ("bot.services.recording_setting.QUICK_RETRY_DELAYS", QUICK_RETRY_DELAYS),
        ("bot.services.scheduling.LOOKUP_DELAYS", LOOKUP_DELAYS),
    ):
        monkeypatch.setattr(name, (0.0,) * len(delays))


@pytest.fixture
async def mailbox(tenant_sandbox: RunningSandbox) -> AsyncIterator[ConsentMailbox]:
    config = GraphClientConfig(
        tenant_id=tenant_sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        graph_base_url=tenant_sandbox.graph_base_url,
        authority_rewrite_to=tenant_sandbox.origin,
    )
    async with open_graph_client(config) as graph:
        yield ConsentMailbox(graph, CONSENT_MAILBOX.mail)


def parent_and_school_meeting(
    start: datetime, documents: tuple[NewDocument, ...] = ()
) -> NewMeeting:
    """An hour-long meeting the seeded co-ordinator arranges with the seeded parent carer and
    SENCO, asking for recording, with the support role."""
    return NewMeeting(
        title="Planning meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        organiser_user_id=COORDINATOR.object_id,
        declared_role=DeclaredRole.SUPPORT,
        recording_requested=True,
        attendees=(
            NewAttendee(PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER),
            NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL),
        ),
        documents=documents,
    )


class People:
    """Outside people using their sandbox inboxes, through the sandbox's control API."""

    def __init__(self, origin: str, http: aiohttp.ClientSession) -> None:
        self._origin = origin
        self._http = http

    def _url(self, path: str) -> str:
        return f"{self._origin}{path}"

    async def inbox(self, address: str) -> list[dict[str, str]]:
        url = self._url(f"/sandbox/api/people/{quote(address)}/messages")
        async with self._http.get(url) as response:
            assert response.status == 200
            return list((await response.json())["value"])

    async def reply(
        self, address: str, subject_has: str, text: str, authentication: str = "pass"
    ) -> None:
        (request,) = [m for m in await self.inbox(address) if subject_has in m["subject"]]
        url = self._url(f"/sandbox/api/people/{quote(address)}/messages/{request['id']}/reply")
        body = {"text": text, "quoteOriginal": True, "authentication": authentication}
        async with self._http.post(url, json=body) as response:
            assert response.status in (200, 201), await response.text()

    async def send_mime(self, address: str, mime: bytes) -> None:
        """`mime` sent as `address`'s mail program wrote it, to the consent mailbox."""
        url = self._url(f"/sandbox/api/people/{quote(address)}/mime")
        async with self._http.post(url, params={"to": CONSENT_MAILBOX.mail}, data=mime) as response:
            assert response.status == 202, await response.text()

    async def write(self, address: str, subject: str, text: str) -> None:
        url = self._url(f"/sandbox/api/people/{quote(address)}/messages")
        body = {"to": CONSENT_MAILBOX.mail, "subject": subject, "text": text}
        async with self._http.post(url, json=body) as response:
            assert response.status in (200, 201), await response.text()


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[str]:
    """The seeded sandbox in a process of its own (for commands that run their own event
    loop); yields its origin."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    origin = ""
    for line in process.stdout:
        if "Graph base URL:" in line:
            origin = line.split("Graph base URL:")[1].strip().removesuffix("/v1.0")
            break
    assert origin, "the sandbox did not start"
    yield origin
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
async def people(tenant_sandbox: RunningSandbox) -> AsyncIterator[People]:
    async with aiohttp.ClientSession() as http:
        yield People(tenant_sandbox.origin, http)
