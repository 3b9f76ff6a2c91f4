"""A database outage while a stranger joins, on both engines, with the product's msgraph-sdk
client, its `/api/calls` endpoint and calls inbox, and the recording guard, against the
sandbox's calling service: the roster naming the stranger arrives while the store refuses
connections, so `/api/calls` refuses it (503) instead of answering 202 and dropping it; the
calling service delivers it again, and once the store is back the guard sees the stranger and
Teams' recording is switched off.

And rosters that never arrive: the notification naming the stranger is lost (the calling
service drops it, or gives up while the store is down and the guard has forgotten the
meeting), and the bot finds the stranger by listing the call's participants
(`bot.calling.resync`)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.calling.endpoint import attach_calling
from bot.calling.inbox import CallNotificationInbox
from bot.calling.resync import RosterResync
from bot.calling.tokens import CallingTokenValidator
from bot.graph.calls import CALLBACK_PATH, MeetingCalls
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.services.recording_guard import RecordingGuard
from bot.services.recording_setting import lock_down_and_confirm, without_store
from bot.services.scheduling import open_teams_meeting
from consent_store.calls import MeetingCallRecords
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from sandbox.endpoints import calling_openid_url
from sandbox.seed import BOT_CATALOG_APP_ID, BOT_CLIENT_ID, COORDINATOR
from tests.builders import reply
from tests.conftest import FakeClock
from tests.outage import Outage, eventually
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import parent_and_school_meeting

HOUR = timedelta(hours=1)


class Chat:
    def __init__(self) -> None:
        self.posts: list[str] = []

    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        self.posts.append(text)

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        self.posts.append(text)


class Voice:
    async def say(self, meeting_id: str, text: str) -> None:
        return None


class Lifecycle:
    async def call_established(self, meeting_id: str, call_id: str) -> None:
        return None


@dataclass
class Meeting:
    sandbox: RunningSandbox
    store: Store
    inbox: CallNotificationInbox
    meeting_id: str
    teams_id: str
    thread_id: str
    calls: MeetingCalls
    guard: RecordingGuard

    def teams_allows_recording(self) -> bool:
        meeting = self.sandbox.tenant.meetings.get(self.teams_id)
        assert meeting is not None
        return meeting.allow_recording

    def refused_rosters(self) -> int:
        return sum(
            1
            for delivery in self.sandbox.calling.deliveries
            if delivery.resource_url.endswith("/participants")
            and delivery.outcome == "failed: HTTP 503"
        )

    async def settle(self) -> None:
        for _ in range(3):
            await self.sandbox.calling.idle()
            await self.inbox.idle()
            await self.guard.settled()

    async def call_ids(self) -> Sequence[str]:
        async with self.store.reading() as uow:
            return await MeetingCallRecords(uow.session).live_calls(self.meeting_id)


@pytest.fixture
async def meeting(
    tenant_sandbox: RunningSandbox, store: Store, mailbox: ConsentMailbox, clock: FakeClock
) -> AsyncIterator[Meeting]:
    """A meeting everyone agreed to record (Teams allows it), the bot's calls endpoint served
    with the calls inbox handing rosters to the recording guard."""
    tenant = tenant_sandbox.tenant
    tenant.sandbox_url = tenant_sandbox.origin
    meetings = OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)
    clock.now = datetime.now(UTC)
    start = clock.now + HOUR
    planned = parent_and_school_meeting(start)
    _, teams = await open_teams_meeting(
        meetings, COORDINATOR.object_id, planned.title, "", (start, planned.ends_at), ()
    )
    assert (await lock_down_and_confirm(meetings, COORDINATOR.object_id, teams.id))[0]
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(planned, uow.now())
        row.teams_meeting_id, row.teams_chat_thread_id = teams.id, teams.chat_thread_id
        row.teams_settings_confirmed_at = uow.now()
        attendee_ids = [a.id for a in await uow.meetings.attendees(row.id)]
        await uow.commit()
    for attendee_id in attendee_ids:
        await reply(store, row.id, attendee_id, "x@example.org", received_at=clock.now - HOUR)
    await meetings.set_recording(COORDINATOR.object_id, teams.id, True)

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    origin = f"http://127.0.0.1:{listening.getsockname()[1]}"
    guard = RecordingGuard(store, meetings, Chat(), Voice(), bot_app_id=BOT_CLIENT_ID)
    inbox = CallNotificationInbox(store, "instance-a", sweep_seconds=0.2)
    inbox.start(Lifecycle(), guard)
    app = web.Application()
    validator = CallingTokenValidator(
        BOT_CLIENT_ID, calling_openid_url(tenant_sandbox.origin), tenant.tenant_id
    )
    attach_calling(app, validator, inbox)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, listening).start()

    tenant_sandbox.teams.create(teams.id)
    await tenant_sandbox.teams.start(teams.id)
    calls = MeetingCalls(mailbox.graph, origin + CALLBACK_PATH, tenant.tenant_id)
    await calls.join(teams.chat_thread_id, COORDINATOR.object_id)
    live = Meeting(
        tenant_sandbox, store, inbox, row.id, teams.id, teams.chat_thread_id, calls, guard
    )
    await live.settle()
    yield live
    await guard.settled()
    await runner.cleanup()
    await inbox.close()


async def test_a_stranger_who_joins_during_an_outage_switches_recording_off_at_once(
    meeting: Meeting, store: Store, database_url: str
) -> None:
    assert len(await meeting.call_ids()) == 1
    assert meeting.teams_allows_recording()

    outage = Outage(store, database_url)
    await outage.begin()
    try:
        await meeting.sandbox.teams.admit(meeting.teams_id, anonymous_name="Guest 4411")
        await eventually(lambda: meeting.refused_rosters() >= 1)
        await eventually(lambda: not meeting.teams_allows_recording())
        assert without_store["confirmed"] >= 1
    finally:
        await outage.end()

    await meeting.settle()
    assert not meeting.teams_allows_recording()


async def test_a_stranger_whose_roster_never_arrives_is_found_by_listing_the_call(
    meeting: Meeting, store: Store
) -> None:
    meeting.sandbox.tenant.faults.disturb_notifications("drop")
    await meeting.sandbox.teams.admit(meeting.teams_id, anonymous_name="Guest 5120")
    await meeting.settle()
    assert any(d.outcome == "dropped (fault)" for d in meeting.sandbox.calling.deliveries)
    assert meeting.teams_allows_recording()

    resync = RosterResync(store, meeting.calls, meeting.inbox, every_seconds=0.2)
    resync.start()
    try:
        await eventually(lambda: not meeting.teams_allows_recording())
    finally:
        await resync.stop()
    await meeting.settle()
    async with store.reading() as uow:
        actions = await uow.session.scalars(
            select(AuditEntryRow.action).where(AuditEntryRow.meeting_id == meeting.meeting_id)
        )
        assert "meeting.uninvited_participant" in set(actions)


async def test_a_bot_starting_during_an_outage_lists_the_call_once_the_store_is_back(
    meeting: Meeting, store: Store, database_url: str
) -> None:
    meeting.sandbox.tenant.faults.disturb_notifications("drop")
    await meeting.sandbox.teams.admit(meeting.teams_id, anonymous_name="Guest 6230")
    await meeting.settle()
    outage = Outage(store, database_url)
    await outage.begin()
    resync = RosterResync(store, meeting.calls, meeting.inbox, every_seconds=60.0)
    try:
        resync.start()
        await asyncio.sleep(1.5)
        assert meeting.teams_allows_recording()
    finally:
        await outage.end()
    try:
        await eventually(lambda: not meeting.teams_allows_recording())
    finally:
        await resync.stop()
