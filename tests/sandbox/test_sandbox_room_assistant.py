"""The meeting room page and the bot: the bot waiting in the lobby is shown and can be
admitted; someone present can write to the bot (an @mention reaches it) and press a button on
its latest card (a message whose `value` is the button's data reaches it)."""

from __future__ import annotations

from html import unescape
from typing import Any
from urllib.parse import quote

import aiohttp
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import COORDINATOR
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.test_sandbox_calls import join, only
from tests.sandbox.test_sandbox_pages import _get, _notice, _submit

OBJECT = {"action": "object_to_recording"}


async def next_message(bot: BotDouble) -> dict[str, Any]:
    """The next message activity the bot receives (events before it passed over)."""
    while True:
        body = (await bot.next_activity()).body
        if body["type"] == "message":
            return body


async def test_the_room_admits_the_bot_and_lets_people_write_to_it_and_press_its_button(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
) -> None:
    meeting = await meeting_with_bot(graph, "Room and assistant")
    assert meeting.id is not None
    assert meeting.chat_info is not None
    sandbox.tenant.meetings.get(meeting.id).lobby_bypass_scope = "organizer"  # type: ignore[union-attr]
    room = f"/sandbox/meetings/{quote(meeting.id, safe='')}"
    await _submit(http, sandbox.url(room), {})
    await _submit(http, sandbox.url(f"{room}/start"), {})
    await bot.activity_named("application/vnd.microsoft.meetingStart")
    sandbox.calling.holds_bots_in_lobby = True
    try:
        await graph.communications.calls.post(join(meeting, bot.url("/api/calls")))
    finally:
        sandbox.calling.holds_bots_in_lobby = False
    assert only(await bot.next_notification())["resourceData"]["state"] == "establishing"

    shown = await _get(http, sandbox.url(room))
    assert "The bot is waiting in the lobby." in shown
    shown = await _submit(http, sandbox.url(f"{room}/lobby"), {})
    assert _notice(shown) == "The bot was admitted from the lobby."
    assert "waiting in the lobby" not in shown
    assert only(await bot.next_notification())["resourceData"]["state"] == "established"

    shown = await _submit(
        http,
        sandbox.url(f"{room}/mention"),
        {"from": sandbox.tenant.teams_accounts.resolve(COORDINATOR.object_id).id, "text": "hi"},
    )
    assert _notice(shown).startswith("Sent to the bot. The bot: delivered")
    mention = await next_message(bot)
    assert mention["text"].endswith(" hi")
    assert [e["type"] for e in mention["entities"]][-1] == "mention"

    card = {
        "type": "AdaptiveCard",
        "body": [],
        "actions": [{"type": "Action.Submit", "title": "I do not agree", "data": OBJECT}],
    }
    conversation = sandbox.tenant.conversations.meeting_chat(meeting.chat_info.thread_id or "")
    sandbox.tenant.conversations.record(
        conversation,
        "from_bot",
        {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ],
        },
        sandbox.tenant.now(),
    )
    shown = unescape(await _get(http, sandbox.url(room)))
    assert "Press “I do not agree”" in shown
    organiser = sandbox.tenant.teams_accounts.resolve(COORDINATOR.object_id).id
    shown = await _submit(
        http, sandbox.url(f"{room}/card-button"), {"from": organiser, "button": "0"}
    )
    assert _notice(shown).startswith("Pressed “I do not agree”. The bot: delivered")
    pressed = await next_message(bot)
    assert pressed["value"] == OBJECT
    assert "text" not in pressed
    shown = await _submit(
        http, sandbox.url(f"{room}/card-button"), {"from": organiser, "button": "7"}
    )
    assert _notice(shown) == "That button is not on the bot's latest card."
