"""The bot in the meeting lobby, through the product's msgraph-sdk client and the control API:
with the lobby holding bots, a bot joining a meeting whose lobby is not open to everyone hears
only that its call is establishing (no roster: it cannot see the meeting) until someone admits
it, then that it is established and who is there; a meeting open to everyone lets it in at
once; admitting a bot that is not waiting is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import ADVISER, COORDINATOR
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.test_sandbox_calls import join, only, recording_by_user


@pytest.fixture
async def lobby_holds_bots(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> AsyncIterator[None]:
    url = sandbox.url("/sandbox/api/calls/lobby")
    async with http.put(url, json={"holdsBots": True}) as response:
        assert response.status == 200
        assert await response.json() == {"holdsBots": True}
    yield
    async with http.put(url, json={"holdsBots": False}) as response:
        assert response.status == 200


async def test_the_bot_waits_in_the_lobby_until_admitted(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
    lobby_holds_bots: None,
) -> None:
    meeting = await meeting_with_bot(graph, "Lobby")
    assert meeting.id is not None
    sandbox.tenant.meetings.get(meeting.id).lobby_bypass_scope = "organizer"  # type: ignore[union-attr]
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)
    call = await graph.communications.calls.post(join(meeting, bot.url("/api/calls")))
    assert call is not None

    establishing = only(await bot.next_notification())
    assert establishing["resourceData"]["state"] == "establishing"
    await sandbox.teams.admit(meeting.id, ADVISER.object_id)
    await sandbox.calling.idle()
    assert bot.notifications.empty()
    assert meeting.chat_info is not None
    assert meeting.chat_info.thread_id is not None
    (waiting,) = sandbox.tenant.calls.live_in(meeting.chat_info.thread_id)
    assert (waiting.state, waiting.in_lobby) == ("establishing", True)
    async with http.get(sandbox.url(f"/sandbox/api/meetings/{meeting.id}")) as response:
        assert [(c["state"], c["inLobby"]) for c in (await response.json())["calls"]] == [
            ("establishing", True)
        ]

    admit = sandbox.url(f"/sandbox/api/meetings/{meeting.id}/lobby/admit-bot")
    async with http.post(admit) as response:
        assert response.status == 200
        assert await response.json() == {"admittedCalls": 1}

    established = only(await bot.next_notification())
    assert established["resourceData"]["state"] == "established"
    roster = only(await bot.notification_about("/participants"))
    assert set(recording_by_user(roster["resourceData"])) == {
        COORDINATOR.object_id,
        ADVISER.object_id,
    }
    assert not waiting.in_lobby
    async with http.post(admit) as again:
        assert again.status == 409


async def test_a_meeting_open_to_everyone_lets_the_bot_in_at_once(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble, lobby_holds_bots: None
) -> None:
    meeting = await meeting_with_bot(graph, "Open lobby")
    assert meeting.id is not None
    sandbox.tenant.meetings.get(meeting.id).lobby_bypass_scope = "everyone"  # type: ignore[union-attr]
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)

    await graph.communications.calls.post(join(meeting, bot.url("/api/calls")))

    states = [only(await bot.next_notification())["resourceData"]["state"] for _ in range(2)]
    assert states == ["establishing", "established"]
    await asyncio.wait_for(bot.notification_about("/participants"), timeout=5)
