"""Microsoft's documented Teams activities (`tests/conformance/teams/`), each signed as the Bot
Framework channel signs it, posted to `/api/messages` of the bot as `make run` serves it
(`tests/served_bot.py`: its real in-meeting use cases, Graph and calls clients against the
sandbox tenant beside it), and what people see of them.

- The documented meeting start, in each shape (the older PascalCase `value` with
  `channelData.meeting`; the current one with a space before the name, no
  `channelData.meeting` and a `localTimestamp` the SDK's model refuses), has the bot join the
  meeting's call in Teams and make its opening statement there (spoken in the call, its card in
  the chat); the chat's address is kept and audited. The documented meeting end of the same
  shape has the bot hang up: its call in Teams is terminated and the end audited.
- The documented file attachment on a message in the meeting chat, pointing at a file the
  co-ordinator shared in that chat, is refused (nobody agreed to share it): its sharing is
  revoked in the tenant and the chat told it was not shared. As published (a contoso.com file
  the tenant does not hold), it cannot be withdrawn, so the chat is told staff must remove it
  and the meeting needs attention.
- The same attachment sent to the bot in the co-ordinator's personal chat gets the bot's help,
  and no file is taken as a meeting document.
- Microsoft's participant join (from the Teams SDK for .NET's tests: the docs publish none),
  of someone the meeting did not invite, into a started meeting whose recording Teams allows,
  has Teams stop allowing recording and the stranger audited; their leave has them no longer
  present in the store.

Each meeting is scheduled by the bot's own use case, so its ids are the bot's. Only identifiers
are changed at run time: in the meeting events, the activity's `id` (both examples use 123, so
the second would be a repeat of the first), `serviceUrl` (the sandbox's Bot Connector, which the
channel token names), `conversation.id` (the meeting's chat thread), `conversation.tenantId` and
`channelData.tenant.id` (the sandbox's tenant); in the file attachment, `contentUrl` and
`content.uniqueId` (those of the file the co-ordinator shared) in the first file test only;
in the participant events, the members' `user.id` (a stranger's, and the bot's own).
Microsoft documents only the attachment of a message with a file, and the SDK's participant
events have no `id`, `timestamp`, `serviceUrl`, `from`, `conversation` or `channelData`, so the
test writes the message, and those fields of the events, around them. One bot serves the
module, on SQLite only: the store's engines are the store tests' business, and these tests are
about what Teams sends."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import aiohttp
import pytest
from sqlalchemy import select

from bot.agent import chat_wording
from bot.agent.endpoint import API_PREFIX, MESSAGES_PATH
from bot.announcement.document_replies import file_not_withdrawn_notice, file_refused_notice
from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.services.document_guard import ATTENTION
from bot.services.scheduling import schedule_meeting
from consent_store.tables import AuditEntryRow
from domain.terms import Participant
from sandbox.botframework.tokens import channel_token
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from sandbox.teams.conversations import Conversation
from tests.conformance.documented import documented
from tests.served_bot import SandboxControls, installation_served
from tests.tenant_flows.conftest import People, parent_and_school_meeting
from tests.tenant_flows.test_bot_in_meeting import chat_texts
from tests.tenant_flows.test_serving import eventually

STARTS = ["teams/meeting_start_2021.json", "teams/meeting_start_2023.json"]
ENDS = ["teams/meeting_end_2021.json", "teams/meeting_end_2023.json"]
FILE = "teams/file_attachment.json"
JOIN = "teams/participant_join.json"
LEAVE = "teams/participant_leave.json"


@dataclass(frozen=True)
class Meeting:
    id: str
    online_meeting_id: str
    thread_id: str


@dataclass(frozen=True)
class Teams(SandboxControls):
    """The served bot, and the sandbox tenant beside it as Teams and the Bot Framework
    channel."""

    async def meeting(self, meeting: Meeting) -> dict[str, Any]:
        return dict(await self.control("GET", f"/meetings/{quote(meeting.online_meeting_id)}"))

    async def send(self, activity: dict[str, Any]) -> int:
        """Post an activity to the bot's messaging endpoint, signed as the Bot Framework
        channel signs it."""
        token = channel_token(self.served.sandbox)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        url = self.served.origin + API_PREFIX + MESSAGES_PATH
        async with self.http.post(url, data=json.dumps(activity), headers=headers) as answer:
            return answer.status

    async def audited(self, meeting: Meeting) -> list[tuple[str, dict[str, Any]]]:
        async with self.served.store.reading() as uow:
            rows = await uow.session.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.meeting_id == meeting.id)
                .order_by(AuditEntryRow.seq)
            )
            return [(row.action, json.loads(row.detail)) for row in rows]

    async def scheduled(self, *, everyone_agrees: bool = False) -> Meeting:
        """A meeting in half an hour, scheduled by the bot, with its room open in Teams;
        nobody has replied yet, or everyone invited has agreed to all of it."""
        store = self.served.store
        async with open_tenant(self.served.tenant) as clients:
            scheduled = await schedule_meeting(
                store,
                clients.meetings,
                clients.mailbox,
                Settings(_env_file=None).service,
                parent_and_school_meeting(datetime.now(UTC) + timedelta(minutes=30)),
                COORDINATOR.display_name,
            )
        if everyone_agrees:
            people = People(self.served.sandbox_origin, self.http)
            await people.reply(PARENT_CARER.address, scheduled.reference, "Yes to all of it.")
            await people.reply(SENCO.address, scheduled.reference, "Yes, I agree to recording.")
        async with store.reading() as uow:
            row = await uow.meetings.get(scheduled.meeting_id)
        assert row.teams_meeting_id is not None
        assert row.teams_chat_thread_id is not None
        await self.control("POST", "/meetings", {"onlineMeetingId": row.teams_meeting_id})
        return Meeting(row.id, row.teams_meeting_id, row.teams_chat_thread_id)


@pytest.fixture(scope="module", params=["sqlite"])
async def teams(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> AsyncIterator[Teams]:
    """The bot served for the module; Teams plays prompts at once."""
    async with (
        installation_served(request, tmp_path_factory, sqlite_template) as served,
        aiohttp.ClientSession() as http,
    ):
        teams = Teams(served, http)
        await teams.control("PUT", "/calls/prompt-time-scale", {"scale": 0})
        yield teams


def in_the_meeting(name: str, teams: Teams, meeting: Meeting) -> dict[str, Any]:
    """The documented meeting event with its identifiers made the sandbox meeting's."""
    activity = documented(name)
    tenant = teams.served.sandbox
    if "id" in activity:
        activity["id"] = uuid4().hex
    activity["serviceUrl"] = tenant.connector_url
    activity["conversation"]["id"] = meeting.thread_id
    if "tenantId" in activity["conversation"]:
        activity["conversation"]["tenantId"] = tenant.tenant_id
    activity["channelData"]["tenant"]["id"] = tenant.tenant_id
    return activity


@pytest.mark.parametrize(("start", "end"), list(zip(STARTS, ENDS, strict=True)))
async def test_a_documented_start_has_the_bot_join_and_speak_and_its_end_hang_up(
    teams: Teams, start: str, end: str
) -> None:
    meeting = await teams.scheduled()

    assert await teams.send(in_the_meeting(start, teams, meeting)) == 202

    async def joined_and_spoke() -> bool:
        state = await teams.meeting(meeting)
        prompts = [p for c in state["calls"] for o in c["operations"] for p in o["prompts"]]
        played = any(p["durationSeconds"] and not p["problem"] for p in prompts)
        return played and any(COORDINATOR.display_name in t for t in chat_texts(state))

    await eventually(joined_and_spoke)
    (call,) = (await teams.meeting(meeting))["calls"]
    assert call["state"] == "established"
    audited = await teams.audited(meeting)
    assert ("meeting.joined", {"call": call["id"]}) in audited
    assert "teams.service_url_changed" in [action for action, _ in audited]
    async with teams.served.store.reading() as uow:
        row = await uow.meetings.get(meeting.id)
    assert row.teams_service_url == teams.served.sandbox.connector_url

    assert await teams.send(in_the_meeting(end, teams, meeting)) == 202

    async def hung_up_and_audited() -> bool:
        (call,) = (await teams.meeting(meeting))["calls"]
        audited = [action for action, _ in await teams.audited(meeting)]
        return call["state"] == "terminated" and "meeting.ended" in audited

    await eventually(hung_up_and_audited)
    ended = [d for action, d in await teams.audited(meeting) if action == "meeting.ended"]
    assert ended == [{"calls_left": 1, "hang_up_errors": ""}]


def message_with_the_file(
    teams: Teams,
    conversation: dict[str, Any],
    channel_data: dict[str, Any],
    file: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A message from the co-ordinator carrying the documented attachment; with `file`, its
    `contentUrl` and `uniqueId` are that file's."""
    tenant = teams.served.sandbox
    sender = tenant.teams_accounts.resolve(COORDINATOR.user_principal_name)
    attachments = documented(FILE)["attachments"]
    if file is not None:
        (attachment,) = attachments
        attachment["contentUrl"] = file["contentUrl"]
        attachment["content"]["uniqueId"] = file["uniqueId"]
    return {
        "type": "message",
        "id": uuid4().hex,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": tenant.connector_url,
        "from": sender.sender(),
        "conversation": {"tenantId": tenant.tenant_id, **conversation},
        "recipient": {"id": f"28:{tenant.bot.client_id}"},
        "channelData": {"tenant": {"id": tenant.tenant_id}, **channel_data},
        "attachments": attachments,
    }


def said(text: str, state: dict[str, Any]) -> bool:
    """Whether the bot posted `text` (with a card or not) in the meeting chat."""
    return any(posted.startswith(text) for posted in chat_texts(state))


def in_the_meeting_chat(
    teams: Teams, meeting: Meeting, file: dict[str, str] | None = None
) -> dict[str, Any]:
    live = teams.served.sandbox.live_meetings.get(meeting.online_meeting_id)
    assert live is not None
    return message_with_the_file(
        teams,
        {"id": meeting.thread_id, "conversationType": "groupChat", "isGroup": True},
        {"meeting": {"id": live.teams_meeting_id}},
        file,
    )


async def test_a_documented_file_posted_in_the_meeting_chat_has_its_sharing_revoked(
    teams: Teams,
) -> None:
    meeting = await teams.scheduled()
    name = documented(FILE)["attachments"][0]["name"]
    shared = await teams.control(
        "POST",
        f"/users/{COORDINATOR.object_id}/chat-files",
        {"chatId": meeting.thread_id, "name": name, "content": "an example"},
    )
    item = teams.served.sandbox.files.item_at_url(shared["driveItem"]["webUrl"])
    assert item is not None
    assert [p for p in item.permissions if p.link_url]
    file = {"contentUrl": item.web_url, "uniqueId": item.etag_guid.upper()}

    assert await teams.send(in_the_meeting_chat(teams, meeting, file)) == 202

    async def refused() -> bool:
        return said(file_refused_notice().text, await teams.meeting(meeting))

    await eventually(refused)
    assert [p for p in item.permissions if p.link_url] == []
    (decision,) = [d for action, d in await teams.audited(meeting) if action == "document.refused"]
    assert (decision["outcome"], decision["revoked"]) == ("revoked", 1)


async def test_the_documented_file_as_published_is_one_staff_are_told_to_remove(
    teams: Teams,
) -> None:
    meeting = await teams.scheduled()

    assert await teams.send(in_the_meeting_chat(teams, meeting)) == 202

    async def staff_told() -> bool:
        return said(file_not_withdrawn_notice().text, await teams.meeting(meeting))

    await eventually(staff_told)
    async with teams.served.store.reading() as uow:
        assert (await uow.meetings.get(meeting.id)).needs_attention == ATTENTION


async def documents_decided(teams: Teams) -> int:
    """How many decisions on documents the bot has audited, in any meeting or none."""
    async with teams.served.store.reading() as uow:
        actions = await uow.session.scalars(select(AuditEntryRow.action))
        return len([action for action in actions if action.startswith("document.")])


def from_bot(conversation: Conversation) -> list[str]:
    return [str(e.activity.get("text")) for e in conversation.entries if e.direction == "from_bot"]


async def test_a_documented_file_sent_in_a_personal_chat_gets_staff_the_help(
    teams: Teams,
) -> None:
    tenant = teams.served.sandbox
    account = tenant.teams_accounts.resolve(COORDINATOR.user_principal_name)
    chat = tenant.conversations.personal(account.id)
    seen, decided = len(from_bot(chat)), await documents_decided(teams)

    status = await teams.send(
        message_with_the_file(teams, {"id": chat.id, "conversationType": "personal"}, {})
    )

    assert status in {200, 202}
    assert from_bot(chat)[seen:] == [chat_wording.help_text(in_meeting=False)]
    assert await documents_decided(teams) == decided


def participant_event(name: str, teams: Teams, meeting: Meeting, stranger: str) -> dict[str, Any]:
    """The SDK's participant event, its first member `stranger` and its second the bot, sent
    in the sandbox meeting's chat as Teams sends the meeting's other events."""
    tenant = teams.served.sandbox
    live = tenant.live_meetings.get(meeting.online_meeting_id)
    assert live is not None
    activity = documented(name)
    person, bot = activity["value"]["members"]
    person["user"]["id"] = stranger
    bot["user"]["id"] = f"28:{tenant.bot.client_id}"
    return activity | {
        "id": uuid4().hex,
        "timestamp": datetime.now(UTC).isoformat(),
        "serviceUrl": tenant.connector_url,
        "from": dict(person["user"]),
        "conversation": {
            "id": meeting.thread_id,
            "conversationType": "groupChat",
            "isGroup": True,
            "tenantId": tenant.tenant_id,
        },
        "channelData": {
            "tenant": {"id": tenant.tenant_id},
            "meeting": {"id": live.teams_meeting_id},
        },
    }


async def test_a_documented_join_of_a_stranger_stops_recording_and_their_leave_is_kept(
    teams: Teams,
) -> None:
    meeting = await teams.scheduled(everyone_agrees=True)

    async def recording_allowed() -> bool:
        return (await teams.meeting(meeting))["allowRecording"] is True

    await eventually(recording_allowed)
    await teams.control("POST", f"/meetings/{quote(meeting.online_meeting_id)}/start")

    async def opened() -> bool:
        state = await teams.meeting(meeting)
        established = [c for c in state["calls"] if c["state"] == "established"]
        return bool(established) and any(COORDINATOR.display_name in t for t in chat_texts(state))

    await eventually(opened)
    assert (await teams.meeting(meeting))["allowRecording"] is True
    stranger = f"29:{uuid4().hex}"

    assert await teams.send(participant_event(JOIN, teams, meeting, stranger)) == 202

    async def stopped_and_audited() -> bool:
        audited = await teams.audited(meeting)
        uninvited = [d for action, d in audited if action == "meeting.uninvited_participant"]
        return (await teams.meeting(meeting))["allowRecording"] is False and bool(uninvited)

    await eventually(stopped_and_audited)
    audited = await teams.audited(meeting)
    uninvited = [d for action, d in audited if action == "meeting.uninvited_participant"]
    assert [d["source"] for d in uninvited] == ["meeting"]

    async def present() -> tuple[Participant, ...]:
        async with teams.served.store.reading() as uow:
            return await uow.presence.present(meeting.id)

    assert await present() == (Participant(None),)

    assert await teams.send(participant_event(LEAVE, teams, meeting, stranger)) == 202

    async def left() -> bool:
        return await present() == ()

    await eventually(left)
    assert (await teams.meeting(meeting))["allowRecording"] is False
