"""Timed work with two bot instances on one database, against the sandbox tenant: each
reminder goes once, only to whoever has not answered, and the start is frozen once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.mailbox.reader import MailboxReader
from bot.scheduler.runner import JobRunner
from bot.services.scheduling import schedule_meeting
from bot.services.timed_work import meeting_job_handlers
from consent_store.keys import KeyRing
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR, PARENT_CARER, SENCO
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People, parent_and_school_meeting

LEASE, POLL = timedelta(minutes=5), timedelta(seconds=1)


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def test_reminders_and_the_start_run_once_across_two_instances(
    store: Store,
    database_url: str,
    key_ring: KeyRing,
    mailbox: ConsentMailbox,
    people: People,
    tenant_sandbox: RunningSandbox,
    service: ServiceProfile,
) -> None:
    meetings = OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)
    start = datetime.now(UTC) + timedelta(days=2)
    scheduled = await schedule_meeting(
        store,
        meetings,
        mailbox,
        service,
        parent_and_school_meeting(start),
        COORDINATOR.display_name,
        reminder_hours=(24,),
    )
    await people.reply(PARENT_CARER.address, scheduled.reference, "Yes")
    await MailboxReader(store, mailbox, service).catch_up()

    clock = FakeClock(start - timedelta(hours=23))
    other = Store.open(database_url, key_ring, clock)
    try:
        runners = [
            JobRunner(
                s, meeting_job_handlers(s, meetings, mailbox, service), name, LEASE, POLL, clock
            )
            for s, name in ((store, "instance-a"), (other, "instance-b"))
        ]
        await asyncio.gather(*(r.run_once() for r in runners))

        def reminders(inbox: list[dict[str, str]]) -> int:
            return sum(m["subject"].startswith("Reminder:") for m in inbox)

        assert reminders(await people.inbox(SENCO.address)) == 1
        assert reminders(await people.inbox(PARENT_CARER.address)) == 0

        clock.now = start + timedelta(minutes=1)
        await asyncio.gather(*(r.run_once() for r in runners))
        await asyncio.gather(*(r.run_once() for r in runners))
    finally:
        await other.close()

    async with store.reading() as uow:
        meeting = await uow.meetings.get(scheduled.meeting_id)
        started = (
            await uow.session.scalars(
                select(AuditEntryRow.action).where(
                    AuditEntryRow.meeting_id == scheduled.meeting_id,
                    AuditEntryRow.action == "meeting.started",
                )
            )
        ).all()
    assert meeting.recording_outcome == "refused"
    assert len(started) == 1
    assert reminders(await people.inbox(SENCO.address)) == 1
