"""Builders for test data: fictional people on example domains, meetings around a fixed day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.policy.terms import AttendeeKind, DeclaredRole
from consent_store.records import NewAttendee, NewDocument, NewMeeting

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
