"""Builders for test data: fictional people on example domains, meetings around a fixed day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from consent_store.audit import AuditEvent
from consent_store.records import NewAttendee, NewDecision, NewDocument, NewMeeting
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, AuthVerdict, Decision, DeclaredRole, Topic

MEETING_START = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)

PARENT = NewAttendee(
    "Rhiannon Okafor-Bell", "rhiannon.okafor@example.org", AttendeeKind.PARENT_CARER
)
SENCO = NewAttendee(
    "Tomasz Wielgosz",
    "t.wielgosz@school.example.net",
    AttendeeKind.PROFESSIONAL,
    "Fellside Primary",
)
STAFF = NewAttendee("Priya Castellano", "priya.castellano@iass.example.com", AttendeeKind.STAFF)


def a_meeting(
    *,
    starts_at: datetime = MEETING_START,
    attendees: tuple[NewAttendee, ...] = (PARENT, SENCO, STAFF),
    documents: tuple[NewDocument, ...] = (
        NewDocument("Draft EHC plan section F", "https://example.com/drafts/section-f.docx"),
    ),
    role: DeclaredRole = DeclaredRole.SUPPORT_AND_CONTRIBUTE,
    recording_requested: bool = True,
    title: str = "Annual review planning for Okafor-Bell family",
) -> NewMeeting:
    return NewMeeting(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        organiser_user_id="6f1c2a4e-9d3b-4c8e-8a71-2b5e0f9c3d10",
        declared_role=role,
        recording_requested=recording_requested,
        attendees=attendees,
        documents=documents,
    )


async def schedule(store: Store, meeting: NewMeeting | None = None) -> tuple[str, list[str]]:
    """Store a meeting; returns its id and its attendees' ids in order."""
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(meeting or a_meeting(), uow.now())
        attendee_ids = [a.id for a in await uow.meetings.attendees(row.id)]
        await uow.commit()
    return row.id, attendee_ids


async def reply(
    store: Store,
    meeting_id: str,
    attendee_id: str,
    sender: str,
    decision: Decision = Decision.GIVEN,
    topic: Topic = Topic.RECORDING,
    received_at: datetime = MEETING_START - timedelta(days=1),
    phrase: str = "Yes, I am happy for the meeting to be recorded.",
) -> str:
    """Record one decision from an authenticated email by `sender`."""
    async with store.unit_of_work() as uow:
        decision_id = await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting_id,
                attendee_id=attendee_id,
                topic=topic,
                decision=decision,
                received_at=received_at,
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="email",
                sender=sender,
                phrase=phrase,
                message_id=f"<{uuid.uuid4().hex}@mail.example.org>",
                email_sha256="0" * 64,
            ),
            uow.now(),
        )
        await uow.audit(
            AuditEvent(
                f"consent.{decision.value}",
                meeting_id=meeting_id,
                subject_id=attendee_id,
                detail={"topic": topic.value},
            )
        )
        await uow.commit()
    return decision_id
