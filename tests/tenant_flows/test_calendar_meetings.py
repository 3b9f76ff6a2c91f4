"""Meetings real attendees can join, against the sandbox tenant with the real msgraph-sdk: a
scheduled meeting is an event in the organiser's calendar, so each attendee's inbox holds an
invitation with the join link (as well as the bot's consent request); moving it sends an
updated invitation and cancelling it a cancellation; the Teams meeting's settings are locked
down, and put back (with the organiser told) when the organiser changes them in the meeting
options; a meeting whose settings Graph would not confirm stays closed until they are; and a
meeting stored before there were events still moves and cancels through its online meeting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.events import CANCELLATION_COMMENT
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.services.meeting_cancellation import cancel_meeting
from bot.services.meeting_edit import edit_meeting
from bot.services.recording_checks import RECONCILE, reconcile_job_key, settings_check_key
from bot.services.recording_enforcement import (
    SETTINGS_ATTENTION,
    enforce_recording,
    reconcile_recording,
)
from bot.services.scheduling import ScheduledMeeting, SchedulingFailed, schedule_meeting
from consent_store.tables import AuditEntryRow, JobRow, MeetingRow
from consent_store.unit_of_work import Store
from sandbox.meetings import OnlineMeeting
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR, PARENT_CARER, SENCO
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People, parent_and_school_meeting

START = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=5)
ATTENDEES = (PARENT_CARER.address, SENCO.address)


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


@pytest.fixture
def meetings(mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox) -> OnlineMeetings:
    return OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)


async def schedule(
    store: Store, meetings: OnlineMeetings, mailbox: ConsentMailbox, service: ServiceProfile
) -> ScheduledMeeting:
    return await schedule_meeting(
        store,
        meetings,
        mailbox,
        service,
        parent_and_school_meeting(START),
        staff_name=COORDINATOR.display_name,
    )


def invitations(sandbox: RunningSandbox, address: str) -> list[tuple[EmailMessage, Any]]:
    """Each message in the person's inbox with an iCalendar part, with its VEVENT."""
    found = []
    for message in sandbox.tenant.correspondents.inbox(address):
        parsed = message.parsed()
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_content())
                (vevent,) = calendar.walk("VEVENT")
                assert part.get_param("method") == str(calendar["METHOD"])
                found.append((parsed, calendar))
                assert vevent["UID"]
    return found


def vevent(calendar: Any) -> Any:
    (event,) = calendar.walk("VEVENT")
    return event


def teams_meeting(sandbox: RunningSandbox, row: MeetingRow) -> OnlineMeeting:
    assert row.teams_meeting_id is not None
    meeting = sandbox.tenant.meetings.get(row.teams_meeting_id)
    assert meeting is not None
    return meeting


async def stored(store: Store, meeting_id: str) -> MeetingRow:
    async with store.reading() as uow:
        return await uow.meetings.get(meeting_id)


async def audit_actions(store: Store, meeting_id: str) -> list[str]:
    async with store.reading() as uow:
        return list(
            await uow.session.scalars(
                select(AuditEntryRow.action)
                .where(AuditEntryRow.meeting_id == meeting_id)
                .order_by(AuditEntryRow.seq)
            )
        )


def organiser_inbox(sandbox: RunningSandbox) -> list[EmailMessage]:
    organiser = sandbox.tenant.directory.user_by_object_id(COORDINATOR.object_id)
    assert organiser is not None
    return [m.parsed() for m in sandbox.tenant.mail.mailbox(organiser).messages_in("inbox")]


async def test_each_attendee_gets_an_invitation_with_the_join_link_and_a_consent_request(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    people: People,
    tenant_sandbox: RunningSandbox,
) -> None:
    scheduled = await schedule(store, meetings, mailbox, service)

    row = await stored(store, scheduled.meeting_id)
    (event,) = tenant_sandbox.tenant.events.of_organizer(COORDINATOR.object_id)
    assert row.teams_event_id == event.id
    assert row.teams_join_url == event.join_url == scheduled.join_url
    for address in ATTENDEES:
        ((message, calendar),) = invitations(tenant_sandbox, address)
        invite = vevent(calendar)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert COORDINATOR.mail in str(message["From"])
        assert str(invite["X-MICROSOFT-SKYPETEAMSMEETINGURL"]) == scheduled.join_url
        assert invite.decoded("DTSTART") == START
        html = message.get_body(preferencelist=("html",))
        assert html is not None
        text = html.get_content()
        assert scheduled.join_url.replace("&", "&amp;") in text
        assert "only record it if all the people invited say yes by email before it starts" in text
        assert service.name in text
        (request,) = [m for m in await people.inbox(address) if scheduled.reference in m["subject"]]
        assert "consent" in request["from"].lower()
    teams = teams_meeting(tenant_sandbox, row)
    assert (teams.allow_recording, teams.allow_transcription, teams.record_automatically) == (
        False,
        False,
        False,
    )
    assert (teams.lobby_bypass_scope, teams.allowed_presenters) == ("organizer", "organizer")
    assert row.teams_settings_confirmed_at is not None
    assert (scheduled.needs_attention, row.needs_attention) == (None, None)


async def test_moving_the_meeting_sends_an_updated_invitation_and_cancelling_a_cancellation(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    scheduled = await schedule(store, meetings, mailbox, service)
    new_start = START + timedelta(days=1, hours=2)
    moved = replace(parent_and_school_meeting(new_start), title="Planning meeting (moved)")

    await edit_meeting(
        store,
        meetings,
        mailbox,
        service,
        scheduled.meeting_id,
        moved,
        actor=COORDINATOR.object_id,
        staff_name=COORDINATOR.display_name,
    )

    row = await stored(store, scheduled.meeting_id)
    assert teams_meeting(tenant_sandbox, row).start == new_start
    for address in ATTENDEES:
        first, update = (vevent(c) for _, c in invitations(tenant_sandbox, address))
        assert (first["UID"], first["SEQUENCE"]) == (update["UID"], 0)
        assert update["SEQUENCE"] == 1
        assert update.decoded("DTSTART") == new_start
        assert str(update["SUMMARY"]) == "Planning meeting (moved)"

    await cancel_meeting(
        store, meetings, mailbox, service, scheduled.meeting_id, actor=COORDINATOR.object_id
    )

    assert tenant_sandbox.tenant.events.of_organizer(COORDINATOR.object_id) == []
    for address in ATTENDEES:
        *_, (message, calendar) = invitations(tenant_sandbox, address)
        cancellation = vevent(calendar)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert (cancellation["SEQUENCE"], str(cancellation["STATUS"])) == (2, "CANCELLED")
        assert str(message["Subject"]).startswith("Canceled:")
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        assert body.get_content().strip() == CANCELLATION_COMMENT


async def test_recording_switched_on_in_the_meeting_options_is_switched_back_and_the_organiser_told(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
    clock: FakeClock,
) -> None:
    scheduled = await schedule(store, meetings, mailbox, service)
    meeting_id = scheduled.meeting_id
    async with store.reading() as uow:
        checks = {
            job.key: job.due_at
            for job in await uow.session.scalars(
                select(JobRow).where(JobRow.meeting_id == meeting_id, JobRow.kind == RECONCILE)
            )
        }
    assert checks == {
        settings_check_key(meeting_id, "72"): START - timedelta(hours=72),
        settings_check_key(meeting_id, "24"): START - timedelta(hours=24),
        settings_check_key(meeting_id, "start"): START,
    }
    teams = teams_meeting(tenant_sandbox, await stored(store, meeting_id))
    teams.allow_recording = teams.record_automatically = True

    clock.now = START + timedelta(minutes=5)
    await reconcile_recording(store, meetings, meeting_id, mailbox)

    assert (teams.allow_recording, teams.allow_transcription, teams.record_automatically) == (
        False,
        False,
        False,
    )
    assert "recording.settings_restored" in await audit_actions(store, meeting_id)
    (notice,) = [m for m in organiser_inbox(tenant_sandbox) if scheduled.reference in m["Subject"]]
    assert "Teams no longer allows recording" in str(notice["Subject"])
    async with store.reading() as uow:
        running = await uow.session.scalar(
            select(JobRow.due_at).where(JobRow.key == settings_check_key(meeting_id, "running"))
        )
    assert running == clock.now + timedelta(minutes=1)


@pytest.mark.usefixtures("graph_retried_at_once")
async def test_settings_graph_did_not_confirm_keep_recording_off_until_the_job_locks_them_down(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    tenant_sandbox.tenant.faults.fail(
        4, status=500, method="PATCH", path_contains="/onlineMeetings/"
    )

    scheduled = await schedule(store, meetings, mailbox, service)

    meeting_id = scheduled.meeting_id
    row = await stored(store, meeting_id)
    assert scheduled.needs_attention == row.needs_attention == SETTINGS_ATTENTION
    assert row.teams_settings_confirmed_at is None
    async with store.reading() as uow:
        assert await uow.session.scalar(
            select(JobRow.id).where(JobRow.key == reconcile_job_key(meeting_id))
        )
    await enforce_recording(store, meetings, meeting_id, cause="decision")
    teams = teams_meeting(tenant_sandbox, row)
    assert (teams.allow_recording, teams.lobby_bypass_scope) == (False, "organizer")
    row = await stored(store, meeting_id)
    assert row.needs_attention is None
    assert row.teams_settings_confirmed_at is not None
    assert "meeting.settings_applied" in await audit_actions(store, meeting_id)


@pytest.mark.usefixtures("graph_retried_at_once")
async def test_a_calendar_event_without_a_teams_meeting_is_cancelled_and_nothing_kept(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    tenant_sandbox.tenant.faults.fail(4, status=500, method="GET", path_contains="/onlineMeetings")

    with pytest.raises(SchedulingFailed, match="cancelled"):
        await schedule(store, meetings, mailbox, service)

    (cancelled,) = tenant_sandbox.tenant.events.cancelled
    assert cancelled.organizer_id == COORDINATOR.object_id
    for address in ATTENDEES:
        assert [str(c["METHOD"]) for _, c in invitations(tenant_sandbox, address)] == [
            "REQUEST",
            "CANCEL",
        ]
    async with store.reading() as uow:
        assert await uow.session.scalar(select(MeetingRow.id)) is None


async def test_a_meeting_stored_without_an_event_moves_and_cancels_through_its_online_meeting(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    """As scheduled before calendar events: a standalone online meeting, no event id."""
    from msgraph.generated.models.online_meeting import OnlineMeeting as GraphMeeting

    created = await mailbox.graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(
        GraphMeeting(subject="Planning meeting", allow_recording=False, allow_transcription=False)
    )
    assert created is not None
    assert created.id
    assert created.chat_info
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(parent_and_school_meeting(START), uow.now())
        row.teams_meeting_id, row.teams_join_url = created.id, created.join_web_url
        row.teams_chat_thread_id = created.chat_info.thread_id
        row.teams_recording_allowed, row.teams_settings_confirmed_at = False, uow.now()
        await uow.commit()
        meeting_id = row.id
    new_start = START + timedelta(hours=3)

    await edit_meeting(
        store,
        meetings,
        mailbox,
        service,
        meeting_id,
        parent_and_school_meeting(new_start),
        actor=COORDINATOR.object_id,
        staff_name=COORDINATOR.display_name,
    )
    await reconcile_recording(store, meetings, meeting_id, mailbox)

    teams = tenant_sandbox.tenant.meetings.get(created.id)
    assert teams is not None
    assert (teams.start, teams.allow_recording) == (new_start, False)
    assert (await stored(store, meeting_id)).needs_attention is None

    await cancel_meeting(store, meetings, mailbox, service, meeting_id, actor=COORDINATOR.object_id)

    assert tenant_sandbox.tenant.meetings.get(created.id) is None
    assert (await stored(store, meeting_id)).status == "cancelled"
    for address in ATTENDEES:
        assert invitations(tenant_sandbox, address) == []
