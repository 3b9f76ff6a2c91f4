"""Scheduling a meeting on behalf of service users: in the store, in Teams, and by email.

Nothing is left half-created. The Teams meeting is made first, with recording, transcription
and automatic recording off and a lobby for everyone but the organiser; then the meeting,
its attendees, documents and Teams ids are stored in one transaction. If storing fails, the
Teams meeting is deleted again; the meeting's reminders and its start are queued in the
same transaction. Installing the bot into the meeting chat and sending the
consent requests come after; if either fails, the meeting stands (recording stays off) and is
marked as needing attention so staff see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.config import ServiceProfile
from bot.graph.failures import GRAPH_FAILURES
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.services.consent_requests import send_consent_requests
from bot.services.timed_work import queue_meeting_jobs
from consent_store.audit import AuditEvent
from consent_store.records import NewMeeting
from consent_store.unit_of_work import Store


class SchedulingFailed(Exception):
    """Teams could not create the meeting; nothing was kept."""


@dataclass(frozen=True)
class ScheduledMeeting:
    meeting_id: str
    reference: str
    join_url: str
    needs_attention: str | None
    requests_sent: int


async def schedule_meeting(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    meeting: NewMeeting,
    staff_name: str,
    reminder_hours: tuple[int, ...] = (72, 24),
) -> ScheduledMeeting:
    """Create the meeting everywhere it must exist; see the module docstring for the order."""
    organiser = meeting.organiser_user_id
    try:
        teams = await meetings.create(
            organiser,
            meeting.title,
            meeting.starts_at,
            meeting.ends_at,
            tuple(a.email for a in meeting.attendees),
        )
    except GRAPH_FAILURES as error:
        raise SchedulingFailed(
            f"Teams did not create the meeting ({type(error).__name__})"
        ) from None
    try:
        async with store.unit_of_work() as uow:
            row = await uow.meetings.add(meeting, uow.now())
            row.teams_meeting_id = teams.id
            row.teams_join_url = teams.join_url
            row.teams_chat_thread_id = teams.chat_thread_id
            row.teams_recording_allowed = False
            row.staff_name_enc = uow.seal(staff_name, "meetings", "staff_name", row.id)
            await queue_meeting_jobs(uow, row, reminder_hours)
            await uow.audit(
                AuditEvent(
                    "meeting.scheduled",
                    actor=organiser,
                    meeting_id=row.id,
                    detail={
                        "attendees": len(meeting.attendees),
                        "documents": len(meeting.documents),
                        "role": meeting.declared_role.value,
                        "recording_requested": meeting.recording_requested,
                    },
                )
            )
            await uow.commit()
            meeting_id, reference = row.id, row.reference
    except SQLAlchemyError:
        await meetings.delete(organiser, teams.id)
        raise

    attention = None
    try:
        await meetings.install_bot(teams.chat_thread_id)
    except GRAPH_FAILURES:
        attention = "bot_not_installed"
    sent = 0
    try:
        sent = len(
            await send_consent_requests(
                store, mailbox, service, meeting_id, staff_name, actor=organiser
            )
        )
    except GRAPH_FAILURES:
        attention = attention or "consent_requests_not_sent"
    if attention:
        async with store.unit_of_work() as uow:
            (await uow.meetings.get(meeting_id)).needs_attention = attention
            await uow.audit(
                AuditEvent(
                    "meeting.needs_attention", meeting_id=meeting_id, detail={"reason": attention}
                )
            )
            await uow.commit()
    return ScheduledMeeting(meeting_id, reference, teams.join_url, attention, sent)
