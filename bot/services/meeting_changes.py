"""What editing and cancelling a meeting share: the failure staff are shown when Teams refuses,
the reasons a meeting is marked as needing attention, marking it, and the emails to its
attendees (a new time, a cancellation), each one sent audited.

Editing is `meeting_edit`, cancelling `meeting_cancellation`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.mail.meeting_notice import RenderedNotice
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox, OutgoingEmail
from consent_store.audit import AuditEvent, DetailValue
from consent_store.unit_of_work import Store, UnitOfWork

CHANGE_NOT_APPLIED = "change_not_applied"
CHANGE_NOT_STORED = "change_in_teams_only"
CANCELLATION_NOT_APPLIED = "cancellation_not_applied"
REQUESTS_NOT_SENT = "consent_requests_not_sent"
NOTICES_NOT_SENT = "notices_not_sent"


class MeetingChangeFailed(Exception):
    """Teams refused the change; nothing was changed. The message says so in plain words."""


@dataclass(frozen=True)
class Recipient:
    attendee_id: str
    name: str
    email: str


async def meeting_recipients(
    uow: UnitOfWork, meeting_id: str, only: Collection[str] | None = None
) -> list[Recipient]:
    recipients = []
    for attendee in await uow.meetings.attendees(meeting_id):
        if only is not None and attendee.id not in only:
            continue
        name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
        email = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id)
        if name and email:
            recipients.append(Recipient(attendee.id, name, email))
    return recipients


async def mark_attention(
    store: Store, meeting_id: str, reason: str, action: str, detail: Mapping[str, DetailValue]
) -> None:
    async with store.unit_of_work() as uow:
        (await uow.meetings.get(meeting_id)).needs_attention = reason
        await uow.audit(AuditEvent(action, meeting_id=meeting_id, detail=detail))
        await uow.commit()


async def send_notices(
    store: Store,
    mailbox: Mailbox,
    meeting_id: str,
    notices: Sequence[tuple[str, str, RenderedNotice]],
    action: str,
) -> tuple[int, bool]:
    """Send each (attendee id, address, notice) and audit each one sent; returns how many
    were sent and whether all were."""
    sent: list[str] = []
    complete = True
    for attendee_id, address, notice in notices:
        try:
            await mailbox.send(
                OutgoingEmail(
                    to=address, subject=notice.subject, text=notice.text, html=notice.html
                )
            )
        except GRAPH_FAILURES:
            complete = False
            break
        sent.append(attendee_id)
    async with store.unit_of_work() as uow:
        for attendee_id in sent:
            await uow.audit(AuditEvent(action, meeting_id=meeting_id, subject_id=attendee_id))
        if not complete:
            (await uow.meetings.get(meeting_id)).needs_attention = NOTICES_NOT_SENT
            await uow.audit(
                AuditEvent(
                    "meeting.needs_attention",
                    meeting_id=meeting_id,
                    detail={"reason": NOTICES_NOT_SENT, "unsent": len(notices) - len(sent)},
                )
            )
        await uow.commit()
    return len(sent), complete
