"""Staff cancel a scheduled meeting: in Teams, in the store, and by email.

Cancelling cancels the calendar event (`POST .../events/{id}/cancel`, with a comment that
carries no case details), so Exchange sends each attendee a cancellation; a meeting without an
event has its Teams meeting deleted instead. One already gone counts as cancelled. Then the
meeting is marked cancelled, its timed work finished unrun, audited, and each attendee emailed
a short cancellation from the consent mailbox. A cancelled meeting, or one that has started,
cannot be edited or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiota_abstractions.api_error import APIError

from bot.config import ServiceProfile
from bot.mail.meeting_notice import render_cancellation
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox
from bot.ports.meetings import Meetings
from bot.services.change_plan import CANCELLED, ensure_changeable
from bot.services.meeting_changes import (
    CANCELLATION_NOT_APPLIED,
    NOTICES_NOT_SENT,
    MeetingChangeFailed,
    mark_attention,
    meeting_recipients,
    send_notices,
)
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store

_GONE = 404


@dataclass(frozen=True)
class MeetingCancelled:
    reference: str
    needs_attention: str | None
    notices_sent: int


async def cancel_meeting(
    store: Store,
    meetings: Meetings,
    mailbox: Mailbox,
    service: ServiceProfile,
    meeting_id: str,
    *,
    actor: str,
) -> MeetingCancelled:
    """Cancel the meeting in Teams and in the store, and tell each attendee."""
    async with store.reading() as uow:
        row = await uow.meetings.get(meeting_id)
        ensure_changeable(row.status, row.starts_at, store.clock(), row.started_at)
        recipients = await meeting_recipients(uow, meeting_id)
        asked = set(await uow.meetings.latest_requests(meeting_id))
    in_teams = "none"
    if row.teams_event_id is not None or row.teams_meeting_id is not None:
        in_teams = "deleted"
        try:
            if row.teams_event_id is not None:
                in_teams = "event_cancelled"
                await meetings.events.cancel(row.organiser_user_id, row.teams_event_id)
            elif row.teams_meeting_id is not None:
                await meetings.delete(row.organiser_user_id, row.teams_meeting_id)
        except GRAPH_FAILURES as error:
            in_teams = "already_gone"
            if not (isinstance(error, APIError) and error.response_status_code == _GONE):
                await mark_attention(
                    store,
                    meeting_id,
                    CANCELLATION_NOT_APPLIED,
                    "meeting.cancel_failed",
                    {"error": type(error).__name__},
                )
                raise MeetingChangeFailed(
                    f"Teams did not cancel the meeting ({type(error).__name__}), so it was not "
                    "cancelled and no one was told. Try again later."
                ) from None
    async with store.unit_of_work() as uow:
        now = uow.now()
        meeting = await uow.meetings.get(meeting_id)
        meeting.status = CANCELLED
        meeting.teams_recording_allowed = False
        meeting.needs_attention = None
        jobs_cancelled = await uow.jobs.cancel_for_meeting(meeting_id, now)
        await uow.audit(
            AuditEvent(
                "meeting.cancelled",
                actor=actor,
                meeting_id=meeting_id,
                detail={
                    "teams_meeting": in_teams,
                    "attendees": len(recipients),
                    "jobs_cancelled": jobs_cancelled,
                },
            )
        )
        await uow.commit()
    notices = [
        (
            r.attendee_id,
            r.email,
            render_cancellation(
                name=r.name,
                reference=row.reference,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                asked=r.attendee_id in asked,
                service=service,
            ),
        )
        for r in recipients
    ]
    sent, complete = await send_notices(
        store, mailbox, meeting_id, notices, "meeting.cancellation_sent"
    )
    return MeetingCancelled(row.reference, None if complete else NOTICES_NOT_SENT, sent)
