"""Microsoft's documented answer to `GET /communications/calls/{id}/participants`
(`calls/participants_list.json`) read by the bot's own msgraph-sdk client (`MeetingCalls`) as
its roster resync asks for it: once the documented established notification has put the
meeting's call in the store, the listed roster (two applications, one of them the bot) reaches
the recording guard for that meeting.

Identifiers only are changed at run time: the documented call id becomes the joined call's,
and the bot's app id is the first listed application's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from kiota_abstractions.authentication.anonymous_authentication_provider import (
    AnonymousAuthenticationProvider,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient

from bot.calling.inbox import CallNotificationInbox
from bot.calling.notifications import read_comms_notifications
from bot.calling.resync import RosterResync
from bot.graph.calls import MeetingCalls
from bot.services.live_meeting import RosterEntry
from consent_store.unit_of_work import Store
from tests.conformance.documented import documented
from tests.conftest import FakeClock
from tests.tenant_flows.conftest import parent_and_school_meeting

JOINED = "2f1a1100-b174-40a0-aba7-0b405e01ed92"
THREAD = "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2"
BOT_APP = "f2fa86af-3c51-4bc2-8fc0-475452d9764f"
OTHER_APP = "ef43e42b-4c05-4594-9756-1edb3ccbc989"
BASE = "https://graph.microsoft.com/v1.0"


@dataclass
class Guard:
    """Stands in for the recording guard: keeps what the inbox hands it."""

    established: list[tuple[str, str]] = field(default_factory=list)
    rosters: list[tuple[str, tuple[RosterEntry, ...]]] = field(default_factory=list)

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        self.established.append((meeting_id, call_id))

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        self.rosters.append((meeting_id, tuple(roster)))

    async def roster_unchecked(self, meeting_id: str) -> None:
        raise AssertionError("the store is up")


def calls_answered_by_the_documented_list(asked: list[httpx.Request]) -> MeetingCalls:
    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=documented("calls/participants_list.json"))

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    adapter = GraphRequestAdapter(AnonymousAuthenticationProvider(), client=client)
    adapter.base_url = BASE
    graph = GraphServiceClient(request_adapter=adapter)
    return MeetingCalls(graph, "https://bot.example/api/calls", "tenant")


async def test_the_documented_participant_list_reaches_the_recording_guard(
    store: Store, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(
            parent_and_school_meeting(clock.now + timedelta(hours=1)), uow.now()
        )
        row.teams_chat_thread_id = THREAD
        await uow.commit()
    guard = Guard()
    inbox = CallNotificationInbox(store, "instance-a")
    inbox.start(guard, guard)
    asked: list[httpx.Request] = []
    resync = RosterResync(store, calls_answered_by_the_documented_list(asked), inbox)
    try:
        await inbox.accept(read_comms_notifications(documented("calls/established.json")))
        await inbox.idle()

        assert await resync.run_once()
        await inbox.idle()
    finally:
        await inbox.close()

    assert guard.established == [(row.id, JOINED)]
    assert [(r.method, r.url.path) for r in asked] == [
        ("GET", f"/v1.0/communications/calls/{JOINED}/participants")
    ]
    ((meeting, roster),) = guard.rosters
    assert meeting == row.id
    assert {entry.object_id for entry in roster} == {BOT_APP, OTHER_APP}
    assert all(entry.recording is False for entry in roster)
