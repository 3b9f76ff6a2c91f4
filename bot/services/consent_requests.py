"""Sending consent requests: one email per attendee who has something to be asked.

Each request is rendered, sent from the consent mailbox, and recorded with its Message-ID,
the template version, the hash of the text sent, the topics asked and the documents and
liaison organisations named, so every later decision can show what that person was told.
A request is recorded only once Graph has accepted it; a failure leaves the attendee without
a request, visible to staff.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.config import ServiceProfile
from bot.mail.consent_request import (
    InvitedPerson,
    RequestedMeeting,
    RequestRecipient,
    render_request,
)
from bot.ports.mail import Mailbox, OutgoingEmail
from consent_store.audit import AuditEvent
from consent_store.liaison import LiaisonRecords
from consent_store.needs import needs_of, supporter_attending
from consent_store.records import NewConsentRequest
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, DeclaredRole, Topic


@dataclass(frozen=True)
class SentRequest:
    attendee_id: str
    request_id: str


async def send_consent_requests(
    store: Store,
    mailbox: Mailbox,
    service: ServiceProfile,
    meeting_id: str,
    staff_name: str,
    actor: str,
    only: Collection[str] | None = None,
) -> list[SentRequest]:
    """Send (and record) a request to every attendee of the meeting who must be asked, or to
    those of them whose ids are in `only`."""
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.get(meeting_id)
        documents = await uow.meetings.documents(meeting_id)
        organisations = await LiaisonRecords(uow).organisations(meeting_id)
        rows = await uow.meetings.attendees(meeting_id)
        needs = needs_of(uow, meeting)
        supporter = supporter_attending(uow, needs, rows)
        attendees = [
            (
                attendee.id,
                RequestRecipient(
                    name=uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id) or "",
                    email=uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id) or "",
                    kind=AttendeeKind(attendee.kind),
                ),
            )
            for attendee in rows
        ]
        about = RequestedMeeting(
            reference=meeting.reference,
            title=uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id) or "",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            staff_name=staff_name,
            declared_role=DeclaredRole(meeting.declared_role),
            recording_requested=meeting.recording_requested,
            document_titles=tuple(
                uow.decrypt(d.title_enc, "documents", "title", d.id) or "" for d in documents
            ),
            invited=tuple(
                InvitedPerson(
                    recipient.name,
                    recipient.kind,
                    supporter.role if supporter and supporter.attendee_id == attendee_id else None,
                )
                for attendee_id, recipient in attendees
            ),
            liaison_names=tuple(o.name for o in organisations),
            easy_read=needs.easy_read,
        )
        recipients = [
            (attendee_id, recipient)
            for attendee_id, recipient in attendees
            if only is None or attendee_id in only
        ]
    domain = mailbox.address.rpartition("@")[2]
    sent: list[SentRequest] = []
    for attendee_id, recipient in recipients:
        rendered = render_request(recipient, about, service, domain)
        if rendered is None or not recipient.email:
            continue
        await mailbox.send(
            OutgoingEmail(
                to=recipient.email,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                internet_message_id=rendered.message_id,
            )
        )
        async with store.unit_of_work() as uow:
            request_id = await uow.meetings.add_request(
                NewConsentRequest(
                    meeting_id=meeting_id,
                    attendee_id=attendee_id,
                    message_id=rendered.message_id,
                    template_version=rendered.template_version,
                    text_sha256=rendered.text_sha256,
                    text=rendered.text,
                    topics=rendered.topics,
                    documents_covered=tuple(d.id for d in documents),
                    sent_at=uow.now(),
                )
            )
            if Topic.LIAISON in rendered.topics:
                await LiaisonRecords(uow).cover(request_id, (o.id for o in organisations))
            await uow.audit(
                AuditEvent(
                    "consent.requested",
                    actor=actor,
                    meeting_id=meeting_id,
                    subject_id=attendee_id,
                    detail={
                        "topics": [t.value for t in rendered.topics],
                        "template": rendered.template_version,
                    },
                )
            )
            await uow.commit()
        sent.append(SentRequest(attendee_id, request_id))
    return sent
