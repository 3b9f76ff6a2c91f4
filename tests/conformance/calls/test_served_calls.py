"""Microsoft's documented comms notifications (`tests/conformance/calls/`), each signed as the
calling service signs it (with either issuer the sandbox tenant is set to), posted to
`/api/calls` of the bot as `make run` serves it (`tests/served_bot.py`, one bot per engine for
the module), and what people see of them.

A meeting everyone agreed to record starts in the sandbox and the bot joins its call; Teams
holds the bot in the lobby. When the bot is admitted, the sandbox's own notifications of it
(the call established, the roster) are dropped and Microsoft's documented ones sent in their
place: the call is recorded as established and the opening statement made (spoken in the
call, its card in the chat); the roster's John, whom nobody invited, switches recording off in
Teams; the finished prompt and the end of the call are audited. A documented incoming call
that belongs to no meeting is audited as unmatched.

Identifiers only are changed at run time: the documented calls' ids (the joined call's, and
the answered call's in Microsoft's two spellings) become the bot's call's, in the same
spelling; the documented chat thread becomes the meeting's; the documented calling bot's
application id becomes the bot's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.graph.calls import CALLBACK_PATH
from bot.graph.tenant import open_tenant
from bot.ports.call_ids import normalise_operation_id
from bot.services.recording_enforcement import enforce_recording
from bot.services.scheduling import schedule_meeting
from consent_store.tables import AuditEntryRow
from sandbox.botframework.tokens import calling_token
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR
from sandbox.tenant import CALLING_TOKEN_ISSUERS
from tests.builders import reply
from tests.conformance.documented import documented
from tests.conftest import ENGINES
from tests.served_bot import SandboxControls, installation_served
from tests.tenant_flows.conftest import parent_and_school_meeting
from tests.tenant_flows.test_bot_in_meeting import chat_texts
from tests.tenant_flows.test_serving import eventually

JOINED = "2f1a1100-b174-40a0-aba7-0b405e01ed92"
ANSWERED = "57dab8b1-894c-409a-b240-bd8beae78896"
THREAD = "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2"
CALLING_BOT = "2891555a-92ff-42e6-80fa-6e1300c6b5c6"
JOIN_AUDITED = "meeting.joined"
FINISHED_OPERATION = "0FE0623FD62842EDB4BD8AC290072CC5"
FOLLOWED = (
    "calls/established.json",
    "calls/roster.json",
    "calls/prompt_completed.json",
    "calls/terminated.json",
)


def as_sent(name: str, replaced: Mapping[str, str]) -> bytes:
    """The documented notification, without its `_source`, with these identifiers replaced."""
    text = json.dumps(documented(name))
    for documented_id, ours in replaced.items():
        text = text.replace(documented_id, ours)
    return text.encode()


def the_bots(call_id: str, thread_id: str) -> dict[str, str]:
    """The documented identifiers, each made the bot's own: its call (in the spelling each
    documented id has), its meeting chat and its application id."""
    return {
        JOINED: call_id,
        ANSWERED: call_id,
        ANSWERED.replace("-", "").upper(): call_id.replace("-", "").upper(),
        THREAD: thread_id,
        CALLING_BOT: BOT_CLIENT_ID,
    }


@dataclass(frozen=True)
class Teams(SandboxControls):
    """The served bot, and the sandbox tenant beside it as Teams and its calling service."""

    async def meeting(self, online_meeting_id: str) -> dict[str, Any]:
        return dict(await self.control("GET", f"/meetings/{quote(online_meeting_id)}"))

    async def notify(self, body: bytes) -> int:
        """Post a comms notification to the bot's calling endpoint, signed as the calling
        service signs it (with the issuer the tenant is set to)."""
        token = calling_token(self.served.sandbox, BOT_CLIENT_ID)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        url = self.served.origin + CALLBACK_PATH
        async with self.http.post(url, data=body, headers=headers) as answer:
            return answer.status

    async def audit_trail(self) -> list[tuple[str | None, str, dict[str, Any]]]:
        async with self.served.store.reading() as uow:
            rows = await uow.session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq))
            return [(row.meeting_id, row.action, json.loads(row.detail)) for row in rows]


@pytest.fixture(scope="module", params=ENGINES)
async def teams(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> AsyncIterator[Teams]:
    """The bot served for the module on each engine; Teams holds a joining bot in the lobby
    and plays prompts at once."""
    async with (
        installation_served(request, tmp_path_factory, sqlite_template) as served,
        aiohttp.ClientSession() as http,
    ):
        teams = Teams(served, http)
        await teams.control("PUT", "/calls/lobby", {"holdsBots": True})
        await teams.control("PUT", "/calls/prompt-time-scale", {"scale": 0})
        yield teams


@dataclass(frozen=True)
class Meeting:
    id: str
    online_meeting_id: str
    thread_id: str


async def meeting_everyone_agreed_to_record(teams: Teams) -> Meeting:
    """A meeting in half an hour, scheduled by the bot, that both attendees agreed to record:
    the bot has allowed recording in Teams."""
    store = teams.served.store
    now = datetime.now(UTC)
    start = now + timedelta(minutes=30)
    async with open_tenant(teams.served.tenant) as clients:
        scheduled = await schedule_meeting(
            store,
            clients.meetings,
            clients.mailbox,
            Settings(_env_file=None).service,
            parent_and_school_meeting(start),
            COORDINATOR.display_name,
        )
        meeting_id = scheduled.meeting_id
        async with store.reading() as uow:
            row = await uow.meetings.get(meeting_id)
            attendees = [a.id for a in await uow.meetings.attendees(meeting_id)]
        for attendee_id in attendees:
            await reply(store, meeting_id, attendee_id, "x@example.org", received_at=now)
        await enforce_recording(store, clients.meetings, meeting_id, cause="decision")
    assert row.teams_meeting_id is not None
    assert row.teams_chat_thread_id is not None
    room = await teams.control("POST", "/meetings", {"onlineMeetingId": row.teams_meeting_id})
    assert room["allowRecording"] is True
    return Meeting(meeting_id, row.teams_meeting_id, row.teams_chat_thread_id)


async def started_and_joined(teams: Teams, meeting: Meeting) -> str:
    """The meeting starts in Teams and the bot joins its call, waiting in the lobby; it is
    admitted, and Teams' notifications of that are lost. The call's id."""
    await teams.control("POST", f"/meetings/{quote(meeting.online_meeting_id)}/start")

    async def calls_joined() -> list[str]:
        trail = await teams.audit_trail()
        return [d["call"] for m, action, d in trail if (m, action) == (meeting.id, JOIN_AUDITED)]

    async def joined() -> bool:
        return bool(await calls_joined())

    await eventually(joined)
    (call_id,) = await calls_joined()
    ((in_teams),) = (await teams.meeting(meeting.online_meeting_id))["calls"]
    assert (in_teams["id"], in_teams["inLobby"]) == (call_id, True)
    await teams.control("POST", "/faults", {"notifications": {"fault": "drop", "count": 2}})
    await teams.control("POST", f"/meetings/{quote(meeting.online_meeting_id)}/lobby/admit-bot", {})
    sent = (await teams.control("GET", "/calls"))["notifications"]
    outcomes = [d["outcome"] for d in sent if d["callId"] == call_id]
    assert outcomes[-2:] == ["dropped (fault)"] * 2
    return str(call_id)


@pytest.mark.parametrize("issuer", CALLING_TOKEN_ISSUERS)
async def test_the_documented_call_of_a_meeting_is_followed_from_start_to_hang_up(
    teams: Teams, issuer: str
) -> None:
    meeting = await meeting_everyone_agreed_to_record(teams)
    call_id = await started_and_joined(teams, meeting)
    await teams.control("PUT", "/calls/token-issuer", {"issuer": issuer})

    async def notified(name: str, *audited: tuple[str, str | None]) -> dict[str, Any]:
        """Teams' meeting once the bot has answered the notification 202 and audited these."""
        body = as_sent(name, the_bots(call_id, meeting.thread_id))
        assert await teams.notify(body) == 202

        async def done() -> bool:
            trail = [
                (action, d.get("state", d.get("operation")))
                for m, action, d in await teams.audit_trail()
                if m == meeting.id and d.get("call", call_id) == call_id
            ]
            return all(entry in trail for entry in audited)

        await eventually(done)
        return await teams.meeting(meeting.online_meeting_id)

    established = await notified(
        "calls/established.json",
        ("call.state_changed", "established"),
        ("meeting.announced", None),
    )
    assert established["allowRecording"] is True
    assert any(COORDINATOR.display_name in text for text in chat_texts(established))

    async def statement_played() -> bool:
        (call,) = (await teams.meeting(meeting.online_meeting_id))["calls"]
        prompts = [p for operation in call["operations"] for p in operation["prompts"]]
        return any(p["durationSeconds"] and not p["problem"] for p in prompts)

    await eventually(statement_played)

    stranger_seen = await notified(
        "calls/roster.json", ("recording.forbidden", None), ("meeting.uninvited_participant", None)
    )
    assert stranger_seen["allowRecording"] is False

    await notified(
        "calls/prompt_completed.json",
        ("call.prompt_finished", normalise_operation_id(FINISHED_OPERATION)),
    )
    await notified("calls/terminated.json", ("call.state_changed", "terminated"))


async def test_a_documented_incoming_call_of_no_meeting_is_audited_as_unmatched(
    teams: Teams,
) -> None:
    status = await teams.notify(as_sent("calls/incoming.json", {}))

    assert status == 202

    async def audited_as_unmatched() -> bool:
        trail = await teams.audit_trail()
        unmatched = [d for _, action, d in trail if action == "call.notification_unmatched"]
        return {"call": ANSWERED, "kind": "state"} in unmatched

    await eventually(audited_as_unmatched)
