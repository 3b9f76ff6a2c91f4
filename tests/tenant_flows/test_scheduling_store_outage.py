"""The store fails at the moment a scheduled meeting is stored (issue 14, "fail closed"),
against the sandbox tenant on both engines: the calendar event with its Teams meeting was made
and its settings confirmed, then the database goes away (`tests/outage.py`). The bot cancels
the event, so Exchange sends every attendee a cancellation after the invitation, the
organiser's calendar holds nothing, and once the database is back it holds nothing of the
meeting either: no meeting, attendee, job or audit entry, and no consent request was sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.ports.meetings import MeetingSettings
from consent_store.errors import STORE_FAILURES
from consent_store.tables import AttendeeRow, AuditEntryRow, JobRow, MeetingRow
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR
from tests.outage import Outage
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_calendar_meetings import ATTENDEES, invitations, schedule


class StoreGoesAway(OnlineMeetings):
    """Graph as the bot's adapter reads it; the database goes away once Graph has confirmed
    the new meeting's settings, just before the meeting is stored."""

    outage: Outage
    began = False

    async def settings(self, organiser_id: str, teams_meeting_id: str) -> MeetingSettings:
        read = await super().settings(organiser_id, teams_meeting_id)
        if read.locked_down and not self.began:
            self.began = True
            await self.outage.begin()
        return read


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def test_a_store_failure_while_storing_cancels_the_event_and_keeps_nothing(
    store: Store,
    database_url: str,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
    people: People,
) -> None:
    meetings = StoreGoesAway(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)
    meetings.outage = Outage(store, database_url)

    try:
        with pytest.raises(STORE_FAILURES):
            await schedule(store, meetings, mailbox, service)
    finally:
        if meetings.began:
            await meetings.outage.end()

    assert meetings.began, "the meeting was made in Teams before the store failed"
    events = tenant_sandbox.tenant.events
    (cancelled,) = events.cancelled
    assert cancelled.organizer_id == COORDINATOR.object_id
    assert events.of_organizer(COORDINATOR.object_id) == []
    for address in ATTENDEES:
        assert [str(c["METHOD"]) for _, c in invitations(tenant_sandbox, address)] == [
            "REQUEST",
            "CANCEL",
        ]
        assert not [m for m in await people.inbox(address) if "consent" in m["from"].lower()]
    async with store.reading() as uow:
        for table in (MeetingRow, AttendeeRow, JobRow, AuditEntryRow):
            assert await uow.session.scalar(select(func.count()).select_from(table)) == 0
