"""Teams' side of the Bot Framework channel: meeting events, participant events and chat
messages reach the bot's endpoint signed as Teams signs them, verifiable against the
sandbox's Bot Framework keys with pyjwt and with the Agents SDK's own validator once its
hard-coded JWKS URL is substituted."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, JwtTokenValidator
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS
from microsoft_teams.api.activities.event.meeting_end import MeetingEndEventValue
from microsoft_teams.api.activities.event.meeting_participant import MeetingParticipantEventValue
from microsoft_teams.api.activities.event.meeting_start import MeetingStartEventValue
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import ADVISER, BOT_CLIENT_ID, COORDINATOR, GUEST_PARENT, PARENT_CARER
from sandbox.teams.activities import (
    MEETING_END,
    MEETING_START,
    PARTICIPANT_JOIN,
    PARTICIPANT_LEAVE,
)
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot, new_meeting, verified_claims
from tests.sandbox.conftest import RunningSandbox

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


async def channel_jwks_uri(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> str:
    path = "/login.botframework.com/v1/.well-known/openidconfiguration"
    async with http.get(sandbox.url(path)) as response:
        metadata: dict[str, Any] = await response.json()
    assert metadata["issuer"] == BOT_FRAMEWORK_ISSUER
    return str(metadata["jwks_uri"])


def bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    assert scheme == "Bearer"
    return token


async def test_a_meeting_start_reaches_the_bot_signed_as_teams_signs_it(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox.teams, "event_shapes", ("2021",))
    meeting = await meeting_with_bot(graph, "Channel tokens")
    assert meeting.id is not None
    sandbox.teams.create(meeting.id)
    admission = await sandbox.teams.start(meeting.id)
    assert admission.delivery.delivered, admission.delivery.outcome

    started = await bot.activity_named(MEETING_START)
    jwks_uri = await channel_jwks_uri(http, sandbox)
    assert jwks_uri == sandbox.url("/login.botframework.com/v1/.well-known/keys")
    token = bearer(started.authorization)
    claims = await verified_claims(token, jwks_uri, BOT_CLIENT_ID)
    assert claims["serviceurl"] == started.body["serviceUrl"] == sandbox.url("/connector/")

    activity = started.body
    assert activity["type"] == "event"
    assert activity["channelId"] == "msteams"
    assert activity["recipient"]["id"] == f"28:{BOT_CLIENT_ID}"
    assert activity["conversation"]["id"] == meeting.chat_info.thread_id  # type: ignore[union-attr]
    assert activity["from"]["aadObjectId"] == COORDINATOR.object_id
    value = MeetingStartEventValue.model_validate(activity["value"])
    assert set(activity["value"]) == {"Id", "JoinUrl", "Title", "MeetingType", "StartTime"}
    assert value.id == activity["channelData"]["meeting"]["id"]
    assert value.title == "Channel tokens"
    assert value.join_url == meeting.join_web_url

    joined = await bot.activity_named(PARTICIPANT_JOIN)
    members = MeetingParticipantEventValue.model_validate(joined.body["value"]).members
    assert [(m.user.aad_object_id, m.meeting.role, m.meeting.in_meeting) for m in members] == [
        (COORDINATOR.object_id, "Organizer", True)
    ]
    assert members[0].user.id.startswith("29:")

    monkeypatch.setitem(BOTFRAMEWORK_JWKS_URIS, BOT_FRAMEWORK_ISSUER, jwks_uri)
    validator = JwtTokenValidator(
        AgentAuthConfiguration(
            client_id=BOT_CLIENT_ID, tenant_id=sandbox.tenant.tenant_id, validate_issuer=True
        )
    )
    identity = await validator.validate_token(token)
    assert identity.get_claim_value("serviceurl") == sandbox.url("/connector/")


async def test_people_join_leave_and_the_meeting_ends(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    bot: BotDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox.teams, "event_shapes", ("2021",))
    meeting = await meeting_with_bot(graph, "Who is here")
    assert meeting.id is not None
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)

    await sandbox.teams.admit(meeting.id, ADVISER.user_principal_name)
    await sandbox.teams.admit(meeting.id, PARENT_CARER.address)
    await sandbox.teams.admit(meeting.id, GUEST_PARENT.mail)
    stranger = await sandbox.teams.admit(meeting.id, anonymous_name="Someone Unexpected")
    joined = [
        MeetingParticipantEventValue.model_validate(
            (await bot.activity_named(PARTICIPANT_JOIN)).body["value"]
        ).members[0]
        for _ in range(5)
    ]
    assert [(m.user.name, m.user.user_role, m.meeting.role) for m in joined] == [
        (COORDINATOR.display_name, "user", "Organizer"),
        (ADVISER.display_name, "user", "Presenter"),
        (PARENT_CARER.display_name, "anonymous", "Presenter"),
        (GUEST_PARENT.display_name, "guest", "Presenter"),
        ("Someone Unexpected", "anonymous", "Presenter"),
    ]
    assert joined[2].user.aad_object_id is None
    assert joined[3].user.aad_object_id == GUEST_PARENT.object_id
    live = sandbox.tenant.live_meetings.get(meeting.id)
    assert live is not None
    assert [a.invited for a in live.attendance.values()] == [True, True, True, False, False]

    await sandbox.teams.leave(meeting.id, stranger.attendance.account.id)
    left = await bot.activity_named(PARTICIPANT_LEAVE)
    assert left.body["value"]["members"][0]["meeting"]["inMeeting"] is False

    await sandbox.teams.end(meeting.id)
    ended = await bot.activity_named(MEETING_END)
    assert set(ended.body["value"]) == {"Id", "JoinUrl", "Title", "MeetingType", "EndTime"}
    MeetingEndEventValue.model_validate(ended.body["value"])
    assert live.phase == "ended"
    assert live.present() == []


async def test_messages_in_the_meeting_chat_and_in_a_personal_chat(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble
) -> None:
    meeting = await meeting_with_bot(graph, "Chat")
    assert meeting.id is not None
    sandbox.teams.create(meeting.id)
    await sandbox.teams.say(meeting.id, ADVISER.object_id, "Shall we begin?")
    said = (await bot.next_activity()).body
    assert said["type"] == "message"
    assert said["text"] == "Shall we begin?"
    assert said["conversation"]["conversationType"] == "groupChat"
    assert said["channelData"]["meeting"]["id"]

    await sandbox.teams.message_bot(COORDINATOR.user_principal_name, "What can you do?")
    personal = (await bot.next_activity()).body
    assert personal["conversation"]["conversationType"] == "personal"
    assert personal["conversation"]["id"].startswith("a:")
    assert "meeting" not in personal["channelData"]
    conversation = sandbox.tenant.conversations.get(personal["conversation"]["id"])
    assert conversation is not None
    assert [e.activity["text"] for e in conversation.entries] == ["What can you do?"]


async def test_a_meeting_whose_chat_lacks_the_bot_sends_it_nothing(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble
) -> None:
    created = await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(
        new_meeting("No bot here")
    )
    assert created is not None
    assert created.id is not None
    sandbox.teams.create(created.id)
    admission = await sandbox.teams.start(created.id)
    assert admission.delivery.outcome == "not sent: the bot's app is not installed in this chat"
    assert bot.activities.empty()
