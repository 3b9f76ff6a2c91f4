"""The bot in a meeting, served as `make run` serves it (the sandbox tenant beside it), and
driven only as Teams would drive it: through the sandbox's meeting controls. Nothing is
called on the bot directly; what is checked is what people in the meeting would see.

The meeting starts and the bot joins the call, the opening prompt plays and the card appears
in the chat; a stranger is admitted, so Teams' recording setting is switched off and, as a
recording that began while it was allowed is still running, the chat is warned (once) and
the organiser told privately; a file nobody agreed to is withdrawn from the chat's members with
the reason posted; the agreed document is acknowledged and stays shared."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from sqlalchemy import select

from bot.cli.main import main
from bot.config import Settings, TenantSettings
from bot.graph.tenant import open_tenant
from bot.services.scheduling import schedule_meeting
from bot.serving import sandbox_origin, sandbox_tenant
from consent_store.records import NewDocument
from consent_store.tables import SharedFileRow
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from tests.served_bot import bot_with_sandbox, free_port_pair
from tests.tenant_flows.conftest import People, parent_and_school_meeting

AGREED_DOCUMENT = NewDocument("Draft EHC plan", "https://example.org/draft-ehc-plan")


@dataclass
class Running:
    store: Store
    tenant: TenantSettings
    http: aiohttp.ClientSession
    origin: str

    def url(self, path: str) -> str:
        return f"{self.origin}/sandbox/api{path}"

    async def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.post(self.url(path), json=body or {}) as response:
            assert response.status in (200, 201, 204), await response.text()
            return await response.json() if response.status != 204 else None

    async def meeting(self, online_meeting_id: str) -> dict[str, Any]:
        async with self.http.get(self.url(f"/meetings/{quote(online_meeting_id)}")) as response:
            assert response.status == 200
            return dict(await response.json())


@pytest.fixture
async def running(
    database_url: str, env_without_iass: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Running]:
    monkeypatch.setenv("IASS_DATABASE_URL", database_url)
    monkeypatch.setenv("PORT", str(free_port_pair()))
    monkeypatch.setenv("IASS_SPEECH_BACKEND", "espeak")
    assert main(["keys", "init"]) == 0
    settings = Settings()
    async with bot_with_sandbox(settings):
        store = Store.open(database_url, settings.key_ring())
        async with aiohttp.ClientSession() as http:
            yield Running(store, sandbox_tenant(settings.port), http, sandbox_origin(settings.port))
        await store.close()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 15.0) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("did not happen in time")


def chat_texts(state: dict[str, Any]) -> list[str]:
    """What the bot posted in the meeting chat: each message's text and its cards' texts."""
    texts = []
    for entry in (state.get("chat") or {}).get("activities", []):
        if entry["direction"] != "from_bot":
            continue
        activity = entry["activity"]
        parts = [activity.get("text") or ""]
        for attachment in activity.get("attachments") or []:
            parts.append(str(attachment.get("content")))
        texts.append(" ".join(parts))
    return texts


async def test_the_bot_opens_the_meeting_and_guards_recording_and_documents(
    running: Running,
) -> None:
    people = People(running.origin, running.http)
    start = datetime.now(UTC) + timedelta(days=2)
    async with open_tenant(running.tenant) as clients:
        scheduled = await schedule_meeting(
            running.store,
            clients.meetings,
            clients.mailbox,
            Settings().service,
            parent_and_school_meeting(start, (AGREED_DOCUMENT,)),
            COORDINATOR.display_name,
        )
    reference = scheduled.reference
    await people.reply(PARENT_CARER.address, reference, "Yes to all of it.")
    await people.reply(SENCO.address, reference, "Yes, I agree to the meeting being recorded.")
    async with running.store.reading() as uow:
        online_meeting_id = (await uow.meetings.get(scheduled.meeting_id)).teams_meeting_id
    assert online_meeting_id is not None

    async def recording_allowed() -> bool:
        return (await running.meeting(online_meeting_id)).get("allowRecording") is True

    async with running.http.put(running.url("/calls/prompt-time-scale"), json={"scale": 0}):
        pass
    await running.control("/meetings", {"onlineMeetingId": online_meeting_id})
    await eventually(recording_allowed)

    await running.control(f"/meetings/{quote(online_meeting_id)}/start")

    async def opened() -> bool:
        state = await running.meeting(online_meeting_id)
        prompts = [
            prompt
            for call in state["calls"]
            for operation in call["operations"]
            for prompt in operation["prompts"]
        ]
        played = any(p["durationSeconds"] and not p["problem"] for p in prompts)
        return played and any(COORDINATOR.display_name in text for text in chat_texts(state))

    await eventually(opened)
    state = await running.meeting(online_meeting_id)
    assert [call["state"] for call in state["calls"]] == ["established"]
    (opening,) = [t for t in chat_texts(state) if COORDINATOR.display_name in t]
    assert "support" in opening.lower()

    await running.control(
        f"/meetings/{quote(online_meeting_id)}/participants", {"user": PARENT_CARER.address}
    )
    await running.control(
        f"/meetings/{quote(online_meeting_id)}/recording/start",
        {"by": COORDINATOR.object_id},
    )
    assert (await running.meeting(online_meeting_id))["recording"] is True
    await running.control(
        f"/meetings/{quote(online_meeting_id)}/participants", {"anonymousName": "Pat Stranger"}
    )

    async def recording_switched_off_and_warned() -> bool:
        state = await running.meeting(online_meeting_id)
        warned = any("record" in t.lower() and "not" in t.lower() for t in chat_texts(state))
        return state["allowRecording"] is False and warned and bool(state["notifications"])

    await eventually(recording_switched_off_and_warned)

    await running.control(
        f"/meetings/{quote(online_meeting_id)}/files",
        {
            "from": COORDINATOR.object_id,
            "name": "Family finances.docx",
            "content": "not for this meeting",
            "contentType": "application/octet-stream",
            "text": "here it is",
        },
    )
    await running.control(
        f"/meetings/{quote(online_meeting_id)}/files",
        {
            "from": COORDINATOR.object_id,
            "name": "Draft EHC plan.docx",
            "content": "the draft",
            "contentType": "application/octet-stream",
            "text": "the draft plan",
        },
    )

    async def both_files_decided() -> bool:
        texts = chat_texts(await running.meeting(online_meeting_id))
        return any("not shared" in t.lower() for t in texts) and any(
            "can stay shared" in t.lower() for t in texts
        )

    await eventually(both_files_decided)
    async with running.store.reading() as uow:
        outcomes = await uow.session.scalars(
            select(SharedFileRow.outcome).where(SharedFileRow.meeting_id == scheduled.meeting_id)
        )
        assert sorted(outcomes) == ["revoked", "shared"]
    texts = chat_texts(await running.meeting(online_meeting_id))
    assert len([t for t in texts if t.startswith("Recording is not permitted")]) == 1
