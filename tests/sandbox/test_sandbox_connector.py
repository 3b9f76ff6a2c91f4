"""The Bot Connector: it takes only the bot's own token (client credentials from the sandbox's
Entra ID, scope https://api.botframework.com/.default), keeps what the bot posts, replies and
updates per conversation, and answers the Teams meeting APIs the product calls through the
Teams SDK's ApiClient: participant look-up and targeted notifications (`29:` ids only)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import httpx
import jwt
import msal
import pytest
from microsoft_agents.activity import Activity, Attachment
from microsoft_agents.hosting.core.connector.client import ConnectorClient
from microsoft_teams.api import ApiClient
from microsoft_teams.api.models.meetings.meeting_notification import (
    MeetingNotificationParams,
    MeetingNotificationSurface,
    MeetingNotificationValue,
)
from microsoft_teams.common import ClientOptions
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.authority_session import authority_session
from sandbox.seed import ADVISER, BOT_CLIENT_ID, BOT_CLIENT_SECRET, COORDINATOR, PARENT_CARER
from sandbox.signing import SigningKey
from sandbox.teams.activities import MEETING_START
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot, new_meeting
from tests.sandbox.conftest import RunningSandbox

CARD = {
    "contentType": "application/vnd.microsoft.card.adaptive",
    "content": {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Priya is here to support Alex."}],
    },
}


@pytest.fixture(scope="module")
async def connector_token(sandbox: RunningSandbox) -> str:
    """The bot's token for the Bot Connector, as msal gets it from the sandbox's Entra ID."""
    app = await asyncio.to_thread(
        msal.ConfidentialClientApplication,
        BOT_CLIENT_ID,
        client_credential=BOT_CLIENT_SECRET,
        authority=f"https://login.microsoftonline.com/{sandbox.tenant.tenant_id}",
        http_client=authority_session("https://login.microsoftonline.com", sandbox.origin),
    )
    result = await asyncio.to_thread(
        app.acquire_token_for_client, ["https://api.botframework.com/.default"]
    )
    return str(result["access_token"])


@pytest.fixture
async def started_meeting(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    bot: BotDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[OnlineMeeting, dict[str, Any]]:
    """A meeting with the bot installed, started by its organiser, and the start event (in
    the documented shape that carries an activity id and `channelData.meeting`)."""
    monkeypatch.setattr(sandbox.teams, "event_shapes", ("2021",))
    meeting = await meeting_with_bot(graph, "Connector")
    assert meeting.id is not None
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)
    return meeting, (await bot.activity_named(MEETING_START)).body


def activities_url(sandbox: RunningSandbox, conversation_id: str, *rest: str) -> str:
    path = f"/connector/v3/conversations/{conversation_id}/activities"
    return sandbox.url("/".join([path, *rest]))


def teams_api(sandbox: RunningSandbox, token: str) -> ApiClient:
    return ApiClient(sandbox.url("/connector/"), ClientOptions(token=token))


async def test_the_connector_takes_only_the_bots_token(
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    connector_token: str,
    started_meeting: tuple[OnlineMeeting, dict[str, Any]],
) -> None:
    meeting, _ = started_meeting
    url = activities_url(sandbox, str(meeting.chat_info.thread_id))  # type: ignore[union-attr]
    claims = jwt.decode(connector_token, options={"verify_signature": False})
    foreign = SigningKey.generate("not the tenant", sandbox.tenant.now()).sign(claims)
    expired = sandbox.tenant.signing_key.sign({**claims, "exp": int(time.time()) - 3600})
    graph_token = sandbox.tenant.signing_key.sign({**claims, "aud": "https://graph.microsoft.com"})
    message = {"type": "message", "text": "Hello"}

    for headers in (
        {},
        {"Authorization": f"Bearer {foreign}"},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {graph_token}"},
        {"Authorization": f"Basic {connector_token}"},
    ):
        async with http.post(url, json=message, headers=headers) as refused:
            assert refused.status == 401
            assert await refused.json() == {
                "message": "Authorization has been denied for this request."
            }

    async with http.post(
        url, json=message, headers={"Authorization": f"Bearer {connector_token}"}
    ) as accepted:
        assert accepted.status == 201
        assert (await accepted.json())["id"]


async def test_posts_replies_and_updates_through_the_agents_sdk_connector_client(
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    connector_token: str,
    started_meeting: tuple[OnlineMeeting, dict[str, Any]],
) -> None:
    meeting, start_event = started_meeting
    thread_id = str(meeting.chat_info.thread_id)  # type: ignore[union-attr]
    card = Attachment(content_type=CARD["contentType"], content=CARD["content"])
    client = ConnectorClient(start_event["serviceUrl"], connector_token)
    try:
        conversations = client.conversations
        posted = await conversations.send_to_conversation(
            thread_id, Activity(type="message", attachments=[card])
        )
        await conversations.reply_to_activity(
            thread_id,
            start_event["id"],
            Activity(type="message", text="Recording stays off.", channel_id="msteams"),
        )
        updated = await conversations.update_activity(
            thread_id, str(posted.id), Activity(type="message", text="updated", attachments=[card])
        )
        assert updated.id == posted.id
    finally:
        await client.close()
    auth = {"Authorization": f"Bearer {connector_token}"}
    not_the_bots = activities_url(sandbox, thread_id, start_event["id"])
    async with http.put(not_the_bots, json={"type": "message"}, headers=auth) as refused:
        assert refused.status == 403

    async with http.get(sandbox.url(f"/sandbox/api/conversations/{thread_id}")) as response:
        chat = await response.json()
    from_bot = [a for a in chat["activities"] if a["direction"] == "from_bot"]
    assert [a["activity"].get("text") for a in from_bot] == ["updated", "Recording stays off."]
    assert from_bot[0]["activity"]["attachments"] == [CARD]
    assert from_bot[0]["updatedAt"] is not None
    assert from_bot[1]["replyToId"] == start_event["id"]
    assert from_bot[1]["activity"]["from"]["id"] == f"28:{BOT_CLIENT_ID}"


async def test_the_connector_refuses_chats_without_the_bot_and_unknown_ones(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    connector_token: str,
) -> None:
    created = await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(
        new_meeting("Bot not installed")
    )
    assert created is not None
    assert created.chat_info is not None
    auth = {"Authorization": f"Bearer {connector_token}"}
    message = {"type": "message", "text": "Hello"}
    async with http.post(
        activities_url(sandbox, str(created.chat_info.thread_id)), json=message, headers=auth
    ) as not_installed:
        assert not_installed.status == 403
        assert (await not_installed.json())["error"]["code"] == "BotNotInConversationRoster"
    async with http.post(
        activities_url(sandbox, "19:nowhere@thread.v2"), json=message, headers=auth
    ) as unknown:
        assert unknown.status == 404


@pytest.mark.filterwarnings("ignore:The bot client is deprecated:DeprecationWarning")
async def test_participant_look_up_and_targeted_notifications(
    sandbox: RunningSandbox,
    connector_token: str,
    started_meeting: tuple[OnlineMeeting, dict[str, Any]],
) -> None:
    meeting, start_event = started_meeting
    assert meeting.id is not None
    teams_meeting_id = start_event["channelData"]["meeting"]["id"]
    tenant_id = sandbox.tenant.tenant_id
    adviser = await sandbox.teams.admit(meeting.id, ADVISER.object_id)
    parent = await sandbox.teams.admit(meeting.id, PARENT_CARER.address)
    meetings = teams_api(sandbox, connector_token).meetings

    info = await meetings.get_by_id(teams_meeting_id)
    assert info.details is not None
    assert info.details.ms_graph_resource_id == meeting.id
    by_object_id = await meetings.get_participant(teams_meeting_id, ADVISER.object_id, tenant_id)
    assert by_object_id.user is not None
    assert by_object_id.user.id == adviser.attendance.account.id
    assert by_object_id.meeting is not None
    assert (by_object_id.meeting.role, by_object_id.meeting.in_meeting) == ("Presenter", True)
    by_teams_id = await meetings.get_participant(
        teams_meeting_id, parent.attendance.account.id, tenant_id
    )
    assert by_teams_id.user is not None
    assert by_teams_id.user.aad_object_id is None
    assert by_teams_id.conversation is not None
    assert by_teams_id.conversation.id == meeting.chat_info.thread_id  # type: ignore[union-attr]
    with pytest.raises(httpx.HTTPStatusError) as stranger:
        await meetings.get_participant(teams_meeting_id, "29:1nobody", tenant_id)
    assert stranger.value.response.status_code == 404

    def notification(*recipients: str) -> MeetingNotificationParams:
        return MeetingNotificationParams(
            value=MeetingNotificationValue(
                recipients=list(recipients),
                surfaces=[
                    MeetingNotificationSurface(
                        surface="meetingStage",
                        content_type="task",
                        content={"value": {"title": "Why recording is off", "url": "https://x"}},
                    )
                ],
            )
        )

    with pytest.raises(httpx.HTTPStatusError) as object_id:
        await meetings.send_notification(teams_meeting_id, notification(COORDINATOR.object_id))
    assert object_id.value.response.status_code == 400
    coordinator_id = start_event["from"]["id"]
    assert await meetings.send_notification(teams_meeting_id, notification(coordinator_id)) is None
    partial = await meetings.send_notification(
        teams_meeting_id, notification(coordinator_id, "29:1gone")
    )
    assert partial is not None
    assert [f.recipient_mri for f in partial.recipients_failure_info or []] == ["29:1gone"]
    live = sandbox.tenant.live_meetings.get(meeting.id)
    assert live is not None
    assert [n["recipients"] for n in live.notifications] == [[coordinator_id], [coordinator_id]]
