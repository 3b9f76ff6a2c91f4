"""Staff edit and cancel meetings against the sandbox tenant, with the real msgraph-sdk: Teams
follows each change, recording is allowed only while consent covers everyone still invited,
new attendees are asked, jobs move with the meeting, and a cancellation reaches every inbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.mailbox.reader import MailboxReader
from bot.services.change_plan import MeetingNotChangeable
from bot.services.meeting_cancellation import cancel_meeting
from bot.services.meeting_changes import (
    CANCELLATION_NOT_APPLIED,
    CHANGE_NOT_APPLIED,
    CHANGE_NOT_STORED,
    MeetingChangeFailed,
)
from bot.services.meeting_edit import edit_meeting
from bot.services.recording_checks import settings_check_key
from bot.services.recording_enforcement import enforce_recording
from bot.services.scheduling import ScheduledMeeting, schedule_meeting
from bot.services.timed_work import join_job_key
from consent_store.records import NewAttendee, NewMeeting
from consent_store.tables import AttendeeRow, AuditEntryRow, JobRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR, PARENT_CARER, SENCO, SEND_OFFICER
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People, parent_and_school_meeting

START = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=5)
OFFICER = NewAttendee(SEND_OFFICER.display_name, SEND_OFFICER.address, AttendeeKind.PROFESSIONAL)


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


@pytest.fixture
def meetings(mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox) -> OnlineMeetings:
    return OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)


class Office:
    """The co-ordinator's meeting, and what staff and Teams see of it."""

    def __init__(
        self,
        store: Store,
        meetings: OnlineMeetings,
        mailbox: ConsentMailbox,
        service: ServiceProfile,
        sandbox: RunningSandbox,
    ) -> None:
        self.store, self.meetings, self.mailbox, self.service = store, meetings, mailbox, service
        self.sandbox = sandbox
        self.meeting: NewMeeting = parent_and_school_meeting(START)
        self.scheduled: ScheduledMeeting | None = None

    @property
    def meeting_id(self) -> str:
        assert self.scheduled is not None
        return self.scheduled.meeting_id

    @property
    def reference(self) -> str:
        assert self.scheduled is not None
        return self.scheduled.reference

    async def schedule(self) -> None:
        self.scheduled = await schedule_meeting(
            self.store, self.meetings, self.mailbox, self.service, self.meeting, "Priya Raman"
        )

    async def edit(self, wanted: NewMeeting) -> None:
        await edit_meeting(
            self.store,
            self.meetings,
            self.mailbox,
            self.service,
            self.meeting_id,
            wanted,
            actor=COORDINATOR.object_id,
            staff_name="Priya Raman",
        )

    async def cancel(self) -> None:
        await cancel_meeting(
            self.store,
            self.meetings,
            self.mailbox,
            self.service,
            self.meeting_id,
            actor=COORDINATOR.object_id,
        )

    async def take_replies(self) -> None:
        async def on_decisions(meeting_id: str) -> None:
            await enforce_recording(self.store, self.meetings, meeting_id, cause="decision")

        await MailboxReader(
            self.store, self.mailbox, self.service, on_decisions=on_decisions
        ).catch_up()

    async def teams_id(self) -> str:
        async with self.store.reading() as uow:
            teams_id = (await uow.meetings.get(self.meeting_id)).teams_meeting_id
        assert teams_id is not None
        return teams_id

    async def teams_allows_recording(self) -> bool:
        teams = self.sandbox.tenant.meetings.get(await self.teams_id())
        assert teams is not None
        return teams.allow_recording

    async def audit_detail(self, action: str) -> dict[str, object]:
        async with self.store.reading() as uow:
            (detail,) = await uow.session.scalars(
                select(AuditEntryRow.detail).where(
                    AuditEntryRow.meeting_id == self.meeting_id, AuditEntryRow.action == action
                )
            )
        parsed: dict[str, object] = json.loads(detail)
        return parsed

    async def audit_actions(self) -> list[str]:
        async with self.store.reading() as uow:
            return list(
                await uow.session.scalars(
                    select(AuditEntryRow.action)
                    .where(AuditEntryRow.meeting_id == self.meeting_id)
                    .order_by(AuditEntryRow.seq)
                )
            )


@pytest.fixture
async def office(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> Office:
    office = Office(store, meetings, mailbox, service, tenant_sandbox)
    await office.schedule()
    return office


def subjects(inbox: list[dict[str, str]], reference: str) -> list[str]:
    return [m["subject"] for m in inbox if reference in m["subject"]]


async def test_a_new_attendee_switches_recording_off_until_they_consent(
    office: Office, people: People
) -> None:
    await people.reply(PARENT_CARER.address, office.reference, "Yes")
    await people.reply(SENCO.address, office.reference, "Yes")
    await office.take_replies()
    assert await office.teams_allows_recording()

    await office.edit(replace(office.meeting, attendees=(*office.meeting.attendees, OFFICER)))

    assert not await office.teams_allows_recording()
    teams = office.sandbox.tenant.meetings.get(await office.teams_id())
    assert teams is not None
    assert SEND_OFFICER.address in [a.upn for a in teams.attendees]
    assert len(subjects(await people.inbox(SEND_OFFICER.address), office.reference)) == 1
    assert len(subjects(await people.inbox(PARENT_CARER.address), office.reference)) == 2
    actions = await office.audit_actions()
    assert "attendee.added" in actions
    assert actions.count("consent.requested") == 3
    assert await office.audit_detail("meeting.edited") == {
        "title_changed": False,
        "moved": False,
        "role": None,
        "recording_requested": None,
        "attendees_added": 1,
        "attendees_removed": 0,
        "documents_added": 0,
        "documents_removed": 0,
        "recording_switched_off": True,
    }

    await people.reply(SEND_OFFICER.address, office.reference, "Yes, happy for it to be recorded")
    await office.take_replies()
    assert await office.teams_allows_recording()


async def test_removing_the_only_attendee_without_consent_lets_recording_be_allowed(
    office: Office, people: People
) -> None:
    await people.reply(PARENT_CARER.address, office.reference, "Yes")
    await office.take_replies()
    assert not await office.teams_allows_recording()

    parent_only = office.meeting.attendees[:1]
    await office.edit(replace(office.meeting, attendees=parent_only))

    assert await office.teams_allows_recording()
    teams = office.sandbox.tenant.meetings.get(await office.teams_id())
    assert teams is not None
    assert [a.upn for a in teams.attendees] == [PARENT_CARER.address]
    async with office.store.reading() as uow:
        rows = list(
            await uow.session.scalars(
                select(AttendeeRow).where(AttendeeRow.meeting_id == office.meeting_id)
            )
        )
        invited = await uow.meetings.attendees(office.meeting_id)
    assert len(rows) == 2
    assert [a.id for a in invited] == [r.id for r in rows if r.removed_at is None]
    assert "attendee.removed" in await office.audit_actions()


async def test_moving_the_time_moves_the_teams_meeting_the_jobs_and_tells_people(
    office: Office, people: People
) -> None:
    new_start = START + timedelta(days=3, hours=2)
    await office.edit(
        replace(
            office.meeting,
            title="Planning meeting (moved)",
            starts_at=new_start,
            ends_at=new_start + timedelta(minutes=90),
        )
    )

    teams = office.sandbox.tenant.meetings.get(await office.teams_id())
    assert teams is not None
    assert (teams.start, teams.end) == (new_start, new_start + timedelta(minutes=90))
    assert teams.subject == "Planning meeting (moved)"
    async with office.store.reading() as uow:
        jobs = {
            job.key: (job.due_at, job.done_at)
            for job in await uow.session.scalars(
                select(JobRow).where(JobRow.meeting_id == office.meeting_id)
            )
        }
    meeting_id = office.meeting_id
    expected = {
        f"start:{meeting_id}": (new_start, None),
        join_job_key(meeting_id): (new_start, None),
        f"reminder:{meeting_id}:72": (new_start - timedelta(hours=72), None),
        f"reminder:{meeting_id}:24": (new_start - timedelta(hours=24), None),
        settings_check_key(meeting_id, "72"): (new_start - timedelta(hours=72), None),
        settings_check_key(meeting_id, "24"): (new_start - timedelta(hours=24), None),
        settings_check_key(meeting_id, "start"): (new_start, None),
    }
    assert {key: jobs[key] for key in expected if key in jobs} == expected
    for address in (PARENT_CARER.address, SENCO.address):
        (notice,) = [
            s for s in subjects(await people.inbox(address), office.reference) if "New time" in s
        ]
        assert notice.startswith("New time for your meeting")
    assert "meeting.new_time_sent" in await office.audit_actions()


async def test_cancelling_cancels_the_calendar_event_tells_everyone_and_stops_the_jobs(
    office: Office, people: People
) -> None:
    await office.cancel()

    assert office.sandbox.tenant.events.of_organizer(COORDINATOR.object_id) == []
    (cancelled,) = office.sandbox.tenant.events.cancelled
    assert cancelled.is_cancelled
    for address in (PARENT_CARER.address, SENCO.address):
        messages = [m for m in await people.inbox(address) if m["subject"].startswith("Cancelled")]
        assert len(messages) == 1
        assert office.reference in messages[0]["subject"]
        assert "has been cancelled" in messages[0]["text"]
        assert "Planning meeting" not in messages[0]["text"]
    async with office.store.reading() as uow:
        meeting = await uow.meetings.get(office.meeting_id)
        waiting = list(
            await uow.session.scalars(
                select(JobRow).where(
                    JobRow.meeting_id == office.meeting_id, JobRow.done_at.is_(None)
                )
            )
        )
    assert meeting.status == "cancelled"
    assert waiting == []
    actions = await office.audit_actions()
    assert "meeting.cancelled" in actions
    assert actions.count("meeting.cancellation_sent") == 2

    with pytest.raises(MeetingNotChangeable, match="cancelled"):
        await office.edit(replace(office.meeting, title="Another go"))
    with pytest.raises(MeetingNotChangeable, match="cancelled"):
        await office.cancel()


async def test_teams_refusing_an_edit_changes_nothing_and_marks_the_meeting(
    office: Office, people: People
) -> None:
    office.sandbox.tenant.faults.fail(status=500, method="PATCH", path_contains="/events/")

    with pytest.raises(MeetingChangeFailed, match="nothing was changed"):
        await office.edit(replace(office.meeting, attendees=(*office.meeting.attendees, OFFICER)))

    async with office.store.reading() as uow:
        meeting = await uow.meetings.get(office.meeting_id)
        invited = await uow.meetings.attendees(office.meeting_id)
    assert meeting.needs_attention == CHANGE_NOT_APPLIED
    assert meeting.teams_recording_allowed is False
    assert len(invited) == 2
    assert subjects(await people.inbox(SEND_OFFICER.address), office.reference) == []
    assert "meeting.change_failed" in await office.audit_actions()

    await office.edit(replace(office.meeting, attendees=(*office.meeting.attendees, OFFICER)))
    async with office.store.reading() as uow:
        assert (await uow.meetings.get(office.meeting_id)).needs_attention is None


@pytest.fixture
def store_fails_on_new_attendees(office: Office) -> Iterator[None]:
    """The store refuses the first row of new attendees, and the calendar then refuses the
    next change made to an event: the one that would put the edit back."""
    engine = office.store.engine.sync_engine
    failed: list[str] = []

    def refuse(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not failed and statement.lstrip().upper().startswith("INSERT INTO ATTENDEES"):
            failed.append(statement)
            office.sandbox.tenant.faults.fail(status=500, method="PATCH", path_contains="/events/")
            raise OperationalError(statement, None, Exception("disk I/O error"))

    event.listen(engine, "before_cursor_execute", refuse)
    yield
    event.remove(engine, "before_cursor_execute", refuse)


async def test_an_edit_neither_stored_nor_put_back_in_teams_leaves_the_meeting_marked(
    office: Office, people: People, store_fails_on_new_attendees: None
) -> None:
    with pytest.raises(OperationalError):
        await office.edit(replace(office.meeting, attendees=(*office.meeting.attendees, OFFICER)))

    async with office.store.reading() as uow:
        meeting = await uow.meetings.get(office.meeting_id)
        invited = await uow.meetings.attendees(office.meeting_id)
    assert meeting.needs_attention == CHANGE_NOT_STORED
    assert len(invited) == 2
    assert (await office.audit_detail("meeting.change_not_reverted"))["error"] == "ODataError"
    assert subjects(await people.inbox(SEND_OFFICER.address), office.reference) == []


async def test_teams_refusing_a_cancellation_leaves_the_meeting_scheduled(
    office: Office, people: People
) -> None:
    office.sandbox.tenant.faults.fail(status=500, method="POST", path_contains="/cancel")

    with pytest.raises(MeetingChangeFailed, match="not cancelled"):
        await office.cancel()

    async with office.store.reading() as uow:
        meeting = await uow.meetings.get(office.meeting_id)
    assert (meeting.status, meeting.needs_attention) == ("scheduled", CANCELLATION_NOT_APPLIED)
    assert office.sandbox.tenant.events.of_organizer(COORDINATOR.object_id) != []
    inbox = await people.inbox(PARENT_CARER.address)
    assert not [m for m in inbox if m["subject"].startswith("Cancelled")]


async def test_a_meeting_already_cancelled_in_outlook_is_still_cancelled(
    office: Office, people: People
) -> None:
    (event,) = office.sandbox.tenant.events.of_organizer(COORDINATOR.object_id)
    office.sandbox.tenant.events.cancel(event)

    await office.cancel()

    async with office.store.reading() as uow:
        assert (await uow.meetings.get(office.meeting_id)).status == "cancelled"
    assert (await office.audit_detail("meeting.cancelled"))["teams_meeting"] == "already_gone"
    inbox = await people.inbox(SENCO.address)
    assert [m for m in inbox if m["subject"].startswith("Cancelled")]


async def test_a_meeting_that_has_started_cannot_be_changed(
    office: Office, clock: FakeClock
) -> None:
    clock.now = START + timedelta(minutes=1)
    with pytest.raises(MeetingNotChangeable, match="already started"):
        await office.edit(replace(office.meeting, title="Too late"))
    with pytest.raises(MeetingNotChangeable, match="already started"):
        await office.cancel()


@pytest.fixture
def database_server_unreachable_on_new_attendees(office: Office) -> Iterator[None]:
    """Storing the new attendees meets a database server that cannot be reached: the driver
    raises an `OSError`, not a database error."""
    engine = office.store.engine.sync_engine
    failed: list[str] = []

    def unreachable(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not failed and statement.lstrip().upper().startswith("INSERT INTO ATTENDEES"):
            failed.append(statement)
            raise ConnectionRefusedError("the database server cannot be reached")

    event.listen(engine, "before_cursor_execute", unreachable)
    yield
    event.remove(engine, "before_cursor_execute", unreachable)


async def test_an_edit_the_database_server_cannot_store_is_put_back_in_teams(
    office: Office, database_server_unreachable_on_new_attendees: None
) -> None:
    with pytest.raises(ConnectionRefusedError):
        await office.edit(replace(office.meeting, attendees=(*office.meeting.attendees, OFFICER)))

    (calendar_event,) = office.sandbox.tenant.events.of_organizer(COORDINATOR.object_id)
    invited = {attendee.address for attendee in calendar_event.attendees}
    assert OFFICER.email not in invited
    async with office.store.reading() as uow:
        assert len(await uow.meetings.attendees(office.meeting_id)) == 2
