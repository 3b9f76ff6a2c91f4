"""The store fails at the moment a scheduled meeting is stored (issue 14, "fail closed"),
against the sandbox tenant: the calendar event with its Teams meeting was made and its
settings confirmed, then the database goes away. The bot cancels the event, so Exchange sends
every attendee a cancellation after the invitation, the organiser's calendar holds nothing,
and once the database is back it holds nothing of the meeting either: no meeting, attendee,
job or audit entry, and no consent request was sent.

The database goes away in two ways: it refuses connections (`tests/outage.py`, on both
engines), or the PostgreSQL server cannot be reached at all (its address refuses the
connection, as when the server is down), which the driver reports as an `OSError` rather than
a database error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.ports.meetings import MeetingSettings
from consent_store.errors import STORE_FAILURES
from consent_store.keys import KeyRing
from consent_store.tables import AttendeeRow, AuditEntryRow, JobRow, MeetingRow
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR
from tests.conftest import FakeClock
from tests.outage import Outage
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_calendar_meetings import ATTENDEES, invitations, schedule


class StoreGoesAway(OnlineMeetings):
    """Graph as the bot's adapter reads it; the database goes away (`goes_away`) once Graph
    has confirmed the new meeting's settings, just before the meeting is stored."""

    goes_away: Callable[[], Awaitable[None]]
    gone = False

    async def settings(self, organiser_id: str, teams_meeting_id: str) -> MeetingSettings:
        read = await super().settings(organiser_id, teams_meeting_id)
        if read.locked_down and not self.gone:
            self.gone = True
            await self.goes_away()
        return read


class Relay:
    """A TCP relay in front of the PostgreSQL server; `cut` makes the server unreachable: the
    relay's address refuses connections and the open ones are dropped."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._streams: list[asyncio.StreamWriter] = []

    async def open(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for stream in self._streams:
            stream.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self._target)
        self._streams += [writer, server_writer]
        await asyncio.gather(
            _copy(reader, server_writer), _copy(server_reader, writer), return_exceptions=True
        )


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    finally:
        sink.close()


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def nothing_left(store: Store, sandbox: RunningSandbox, people: People) -> None:
    """The event cancelled for everyone, and nothing of the meeting in the store."""
    events = sandbox.tenant.events
    (cancelled,) = events.cancelled
    assert cancelled.organizer_id == COORDINATOR.object_id
    assert events.of_organizer(COORDINATOR.object_id) == []
    for address in ATTENDEES:
        assert [str(c["METHOD"]) for _, c in invitations(sandbox, address)] == [
            "REQUEST",
            "CANCEL",
        ]
        assert not [m for m in await people.inbox(address) if "consent" in m["from"].lower()]
    async with store.reading() as uow:
        for table in (MeetingRow, AttendeeRow, JobRow, AuditEntryRow):
            assert await uow.session.scalar(select(func.count()).select_from(table)) == 0


async def test_a_store_failure_while_storing_cancels_the_event_and_keeps_nothing(
    store: Store,
    database_url: str,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
    people: People,
) -> None:
    meetings = StoreGoesAway(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)
    outage = Outage(store, database_url)
    meetings.goes_away = outage.begin

    try:
        with pytest.raises(STORE_FAILURES):
            await schedule(store, meetings, mailbox, service)
    finally:
        if meetings.gone:
            await outage.end()

    assert meetings.gone, "the meeting was made in Teams before the store failed"
    await nothing_left(store, tenant_sandbox, people)


@pytest.fixture
async def relayed_store(
    database_url: str, key_ring: KeyRing, clock: FakeClock
) -> AsyncIterator[tuple[Store, Relay]]:
    """The test's PostgreSQL database, reached through a relay the test can cut."""
    url = make_url(database_url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    port = await relay.open()
    relayed = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    opened = Store.open(relayed, key_ring, clock)
    yield opened, relay
    await opened.close()
    await relay.cut()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_database_server_unreachable_while_storing_cancels_the_event_too(
    store: Store,
    relayed_store: tuple[Store, Relay],
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
    people: People,
) -> None:
    scheduling_store, relay = relayed_store
    async with scheduling_store.reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(MeetingRow)) == 0
    meetings = StoreGoesAway(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)

    async def server_down() -> None:
        await relay.cut()
        await scheduling_store.engine.dispose()

    meetings.goes_away = server_down

    with pytest.raises(ConnectionRefusedError):
        await schedule(scheduling_store, meetings, mailbox, service)

    assert meetings.gone, "the meeting was made in Teams before the store failed"
    await nothing_left(store, tenant_sandbox, people)
