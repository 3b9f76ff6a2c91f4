"""Scheduling a meeting on behalf of service users: in the organiser's calendar, in Teams, in
the store, and by email.

1. The meeting is an event in the organiser's calendar with a Teams meeting
   (`Calendar.create`): Exchange sends each attendee an invitation with the join link,
   from the organiser. Its body says what the service is and that recording happens only with
   everyone's prior email consent.
2. The event's online meeting is found by its join URL (tried a few times: Teams makes it
   as the event is made). If it cannot be found, the event is cancelled (Exchange sends the
   attendees a cancellation) and nothing is kept.
3. Its settings are locked down (recording, transcription and automatic recording off, a
   lobby for everyone but the organiser, the organiser the only presenter) and read back.
   If Graph does not confirm them, the meeting is still kept, marked as needing attention
   (`SETTINGS_ATTENTION`) and its reconcile job is due at once: it locks the settings down,
   retrying until Graph confirms them, and recording is never switched on before that.
4. The meeting, its attendees, documents, the professionals named for liaison, the service
   user's individual needs (sealed), event and
   Teams ids are stored in one transaction with its reminders, its start and its settings
   checks (`queue_settings_checks`). If storing fails, the event is cancelled again.
5. Installing the bot into the meeting chat and sending the consent requests (naming the
   professionals to liaise with to the service users) come after; if
   either fails, the meeting stands (recording stays off) and is marked as needing attention
   so staff see it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.config import ServiceProfile
from bot.ports.calendar import EventWithoutJoinUrl
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox
from bot.ports.meetings import Meetings, TeamsMeeting
from bot.services.consent_requests import send_consent_requests
from bot.services.recording_checks import RECONCILE_SOON, queue_reconcile, queue_settings_checks
from bot.services.recording_enforcement import SETTINGS_ATTENTION
from bot.services.recording_setting import lock_down_and_confirm
from bot.services.timed_work import queue_meeting_jobs
from consent_store.audit import AuditEvent
from consent_store.errors import STORE_FAILURES
from consent_store.liaison import LiaisonRecords
from consent_store.needs import record_needs
from consent_store.records import NewMeeting
from consent_store.unit_of_work import Store
from templates import environment

log = logging.getLogger(__name__)

LOOKUP_DELAYS: Final = (0.0, 0.5, 1.0, 2.0)
"""Seconds before each attempt to find the event's online meeting by its join URL."""


class SchedulingFailed(Exception):
    """The meeting could not be made in the calendar and Teams; nothing was kept."""


@dataclass(frozen=True)
class ScheduledMeeting:
    meeting_id: str
    reference: str
    join_url: str
    needs_attention: str | None
    requests_sent: int


def invitation_body(service: ServiceProfile) -> str:
    """The calendar invitation's HTML body (Exchange adds the Teams join details)."""
    return environment().get_template("email/meeting_invitation.html.j2").render(service=service)


async def _cancel_event(meetings: Meetings, organiser: str, event_id: str) -> None:
    """Cancel an event the meeting could not be made from; a failure is logged (the event
    then stays in the organiser's calendar, with recording off in its meeting)."""
    try:
        await meetings.events.cancel(organiser, event_id)
    except GRAPH_FAILURES as error:
        log.warning("event of a meeting not scheduled was not cancelled: %s", type(error).__name__)


async def _find_meeting(
    meetings: Meetings, organiser: str, join_url: str
) -> tuple[TeamsMeeting | None, str]:
    """The event's online meeting, or None and why not."""
    reason = "not found by its join URL"
    for delay in LOOKUP_DELAYS:
        await asyncio.sleep(delay)
        try:
            found = await meetings.find_by_join_url(organiser, join_url)
        except GRAPH_FAILURES as error:
            reason = type(error).__name__
            continue
        if found is not None:
            return found, ""
    return None, reason


async def open_teams_meeting(
    meetings: Meetings,
    organiser: str,
    subject: str,
    body_html: str,
    times: tuple[datetime, datetime],
    attendee_addresses: tuple[str, ...],
) -> tuple[str, TeamsMeeting]:
    """Steps 1 and 2: the calendar event (its id) and its Teams meeting, settings not yet
    locked down. `SchedulingFailed` when either cannot be made (the event cancelled)."""
    try:
        event = await meetings.events.create(
            organiser, subject, body_html, times[0], times[1], attendee_addresses
        )
    except EventWithoutJoinUrl as missing:
        await _cancel_event(meetings, organiser, missing.event_id)
        raise SchedulingFailed("Teams did not make a meeting for the calendar event") from None
    except GRAPH_FAILURES as error:
        raise SchedulingFailed(
            f"The calendar did not create the meeting ({type(error).__name__})"
        ) from None
    teams, reason = await _find_meeting(meetings, organiser, event.join_url)
    if teams is None:
        await _cancel_event(meetings, organiser, event.id)
        raise SchedulingFailed(f"Teams did not make the meeting ({reason}), so it was cancelled")
    return event.id, teams


async def schedule_meeting(
    store: Store,
    meetings: Meetings,
    mailbox: Mailbox,
    service: ServiceProfile,
    meeting: NewMeeting,
    staff_name: str,
    reminder_hours: tuple[int, ...] = (72, 24),
) -> ScheduledMeeting:
    """Create the meeting everywhere it must exist; see the module docstring for the order."""
    organiser = meeting.organiser_user_id
    event_id, teams = await open_teams_meeting(
        meetings,
        organiser,
        meeting.title,
        invitation_body(service),
        (meeting.starts_at, meeting.ends_at),
        tuple(a.email for a in meeting.attendees),
    )
    locked, lock_error = await lock_down_and_confirm(meetings, organiser, teams.id)
    attention = None if locked else SETTINGS_ATTENTION
    try:
        async with store.unit_of_work() as uow:
            row = await uow.meetings.add(meeting, uow.now())
            row.teams_event_id = event_id
            row.teams_meeting_id = teams.id
            row.teams_join_url = teams.join_url
            row.teams_chat_thread_id = teams.chat_thread_id
            row.teams_recording_allowed = False if locked else None
            row.teams_settings_confirmed_at = uow.now() if locked else None
            row.needs_attention = attention
            row.staff_name_enc = uow.seal(staff_name, "meetings", "staff_name", row.id)
            if meeting.liaison:
                await LiaisonRecords(uow).name(row.id, meeting.liaison)
            record_needs(uow, row, meeting.needs)
            await queue_meeting_jobs(uow, row, reminder_hours)
            await queue_settings_checks(uow, row, reminder_hours)
            if not locked:
                await queue_reconcile(uow, row.id, RECONCILE_SOON)
            await uow.audit(
                AuditEvent(
                    "meeting.scheduled",
                    actor=organiser,
                    meeting_id=row.id,
                    detail={
                        "attendees": len(meeting.attendees),
                        "documents": len(meeting.documents),
                        "liaison_named": len(meeting.liaison),
                        "role": meeting.declared_role.value,
                        "recording_requested": meeting.recording_requested,
                        "calendar_event": True,
                        "settings_confirmed": locked,
                    },
                )
            )
            if not locked:
                await uow.audit(
                    AuditEvent(
                        "meeting.needs_attention",
                        meeting_id=row.id,
                        detail={"reason": SETTINGS_ATTENTION, "error": lock_error},
                    )
                )
            await uow.commit()
            meeting_id, reference = row.id, row.reference
    except STORE_FAILURES:
        await _cancel_event(meetings, organiser, event_id)
        raise

    later_attention = None
    try:
        await meetings.install_bot(teams.chat_thread_id)
    except GRAPH_FAILURES:
        later_attention = "bot_not_installed"
    sent = 0
    try:
        sent = len(
            await send_consent_requests(
                store, mailbox, service, meeting_id, staff_name, actor=organiser
            )
        )
    except GRAPH_FAILURES:
        later_attention = later_attention or "consent_requests_not_sent"
    if later_attention:
        async with store.unit_of_work() as uow:
            row = await uow.meetings.get(meeting_id)
            row.needs_attention = row.needs_attention or later_attention
            await uow.audit(
                AuditEvent(
                    "meeting.needs_attention",
                    meeting_id=meeting_id,
                    detail={"reason": later_attention},
                )
            )
            await uow.commit()
    return ScheduledMeeting(
        meeting_id, reference, teams.join_url, attention or later_attention, sent
    )
