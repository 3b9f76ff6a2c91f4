"""Microsoft's documented comms notifications (`tests/conformance/calls/`), each signed as the
calling service signs it (with either issuer the sandbox tenant is set to), posted to the bot's
served `/api/calls` and handled by its calls inbox: the meeting's call is established and
reported, the roster reaches the recording guard, the finished prompt and the hang-up are
audited, and an incoming call that belongs to no meeting is audited as unmatched.

Identifiers only are changed at run time: the documented answered call's id (in Microsoft's
own two spellings) becomes the documented joined call's, so that every notification concerns
the one meeting call; the meeting's chat thread is the documented `chatInfo.threadId`."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.calling.endpoint import attach_calling
from bot.calling.inbox import CallNotificationInbox
from bot.calling.tokens import CallingTokenValidator
from bot.services.live_meeting import RosterEntry
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from sandbox.botframework.tokens import calling_token
from sandbox.endpoints import calling_openid_url
from sandbox.seed import BOT_CLIENT_ID
from sandbox.tenant import CALLING_TOKEN_ISSUERS
from tests.conformance.documented import HERE
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import parent_and_school_meeting

JOINED = "2f1a1100-b174-40a0-aba7-0b405e01ed92"
THREAD = "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2"
ANSWERED_SPELLINGS = {
    "57dab8b1-894c-409a-b240-bd8beae78896": JOINED,
    "57DAB8B1894C409AB240BD8BEAE78896": JOINED.replace("-", "").upper(),
}


def as_sent(name: str, *, onto_joined_call: bool) -> bytes:
    """The documented notification without its `_source`, perhaps about the joined call."""
    body = json.loads((HERE / name).read_text())
    del body["_source"]
    text = json.dumps(body)
    if onto_joined_call:
        for answered, joined in ANSWERED_SPELLINGS.items():
            text = text.replace(answered, joined)
    return text.encode()


@dataclass
class Heard:
    established: list[tuple[str, str]] = field(default_factory=list)
    rosters: list[tuple[str, tuple[RosterEntry, ...]]] = field(default_factory=list)

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        self.established.append((meeting_id, call_id))

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        self.rosters.append((meeting_id, tuple(roster)))

    async def roster_unchecked(self, meeting_id: str) -> None:
        raise AssertionError("the store is up")


@dataclass
class ServedCalls:
    url: str
    meeting_id: str
    inbox: CallNotificationInbox
    heard: Heard


@pytest.fixture
async def served_calls(
    tenant_sandbox: RunningSandbox, store: Store, clock: FakeClock
) -> AsyncIterator[ServedCalls]:
    """The bot's `/api/calls` on a socket with its calls inbox, tokens checked through the
    calling service's OpenID configuration; a meeting in the store whose chat is the
    documented one."""
    clock.now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(
            parent_and_school_meeting(clock.now + timedelta(hours=1)), uow.now()
        )
        row.teams_chat_thread_id = THREAD
        await uow.commit()
    heard = Heard()
    inbox = CallNotificationInbox(store, "instance-a")
    inbox.start(heard, heard)
    app = web.Application()
    validator = CallingTokenValidator(
        BOT_CLIENT_ID,
        calling_openid_url(tenant_sandbox.origin),
        tenant_sandbox.tenant.tenant_id,
    )
    attach_calling(app, validator, inbox)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, listening).start()
    port = listening.getsockname()[1]
    yield ServedCalls(f"http://127.0.0.1:{port}/api/calls", row.id, inbox, heard)
    await runner.cleanup()
    await inbox.close()


async def post(sandbox: RunningSandbox, calls: ServedCalls, body: bytes) -> int:
    token = calling_token(sandbox.tenant, BOT_CLIENT_ID)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(calls.url, data=body, headers=headers) as answer,
    ):
        await calls.inbox.idle()
        return answer.status


async def choose_issuer(sandbox: RunningSandbox, issuer: str) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.put(sandbox.url("/sandbox/api/calls/token-issuer"), json={"issuer": issuer}) as put,
    ):
        assert put.status == 200


async def audit_trail(store: Store) -> list[tuple[str | None, str, dict[str, object]]]:
    async with store.reading() as uow:
        rows = await uow.session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq))
        return [(row.meeting_id, row.action, json.loads(row.detail)) for row in rows]


@pytest.mark.parametrize("issuer", CALLING_TOKEN_ISSUERS)
async def test_the_documented_call_of_a_meeting_is_followed_from_start_to_hang_up(
    tenant_sandbox: RunningSandbox, served_calls: ServedCalls, store: Store, issuer: str
) -> None:
    await choose_issuer(tenant_sandbox, issuer)
    meeting = served_calls.meeting_id

    statuses = [
        await post(tenant_sandbox, served_calls, as_sent(name, onto_joined_call=True))
        for name in (
            "calls/established.json",
            "calls/roster.json",
            "calls/prompt_completed.json",
            "calls/terminated.json",
        )
    ]

    assert statuses == [202, 202, 202, 202]
    assert served_calls.heard.established == [(meeting, JOINED)]
    ((roster_meeting, roster),) = served_calls.heard.rosters
    assert roster_meeting == meeting
    assert "John" in [entry.display_name for entry in roster]
    trail = [(m, action, d.get("state")) for m, action, d in await audit_trail(store)]
    assert (meeting, "call.state_changed", "established") in trail
    assert (meeting, "call.prompt_finished", None) in trail
    assert (meeting, "call.state_changed", "terminated") in trail


async def test_a_documented_incoming_call_of_no_meeting_is_audited_as_unmatched(
    tenant_sandbox: RunningSandbox, served_calls: ServedCalls, store: Store
) -> None:
    status = await post(
        tenant_sandbox, served_calls, as_sent("calls/incoming.json", onto_joined_call=False)
    )

    assert status == 202
    assert served_calls.heard.established == []
    unmatched = [d for _, action, d in await audit_trail(store) if action.endswith("unmatched")]
    assert unmatched == [{"call": "57dab8b1-894c-409a-b240-bd8beae78896", "kind": "state"}]
