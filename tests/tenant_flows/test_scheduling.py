"""Scheduling against the sandbox tenant: the Teams meeting starts with recording off, and
recording is allowed in Teams only once every attendee has consented by email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.mailbox.reader import MailboxReader
from bot.services.recording_enforcement import enforce_recording
from bot.services.scheduling import schedule_meeting
from consent_store.records import NewDocument
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR, PARENT_CARER, SENCO
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People, parent_and_school_meeting


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


def online_meetings(mailbox: ConsentMailbox, sandbox: RunningSandbox) -> OnlineMeetings:
    return OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, sandbox.graph_base_url)


def teams_allows_recording(sandbox: RunningSandbox, teams_id: str) -> bool:
    meeting = sandbox.tenant.meetings.get(teams_id)
    assert meeting is not None
    return meeting.allow_recording


async def test_recording_follows_everyones_consent(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    tenant_sandbox: RunningSandbox,
    service: ServiceProfile,
) -> None:
    meetings = online_meetings(mailbox, tenant_sandbox)
    start = datetime.now(UTC) + timedelta(days=2)
    scheduled = await schedule_meeting(
        store,
        meetings,
        mailbox,
        service,
        parent_and_school_meeting(
            start, documents=(NewDocument("School report", "https://example.com/r.docx"),)
        ),
        staff_name=COORDINATOR.display_name,
    )
    assert (scheduled.needs_attention, scheduled.requests_sent) == (None, 2)
    async with store.unit_of_work() as uow:
        teams_id = (await uow.meetings.get(scheduled.meeting_id)).teams_meeting_id
    assert teams_id is not None
    assert not teams_allows_recording(tenant_sandbox, teams_id)

    async def on_decisions(meeting_id: str) -> None:
        await enforce_recording(store, meetings, meeting_id, cause="decision")

    reader = MailboxReader(store, mailbox, service, on_decisions=on_decisions)
    await people.reply(PARENT_CARER.address, scheduled.reference, "Yes")
    await reader.catch_up()
    assert not teams_allows_recording(tenant_sandbox, teams_id)

    await people.reply(SENCO.address, scheduled.reference, "Yes, that's fine.")
    await reader.catch_up()
    assert teams_allows_recording(tenant_sandbox, teams_id)

    await people.write(
        SENCO.address, f"RE: [{scheduled.reference}]", "Sorry, I withdraw my consent to recording."
    )
    await reader.catch_up()
    assert not teams_allows_recording(tenant_sandbox, teams_id)
