"""What the meeting page reads about one meeting (`/tab/meetings/{reference}`): its rows from
the store, personal fields decrypted, in one reading unit of work (`load_meeting`), and what
the recording gate, the role statement and the share gate answer for it (`verdicts_for`).
`meeting_page` turns both into the view the template shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.policy.recording_gate import RecordingVerdict, evaluate_recording
from bot.policy.role_statement import RoleStatement, decide_role
from bot.policy.share_gate import ShareVerdict, evaluate_share
from consent_store.stored import (
    AttendeeRow,
    AuditEntryRow,
    ConsentDecisionRow,
    ConsentRequestRow,
    DocumentRow,
    MeetingRow,
)
from consent_store.unit_of_work import UnitOfWork
from domain.terms import MeetingFacts


@dataclass(frozen=True)
class AttendeeRecord:
    """An attendee's row with its personal fields decrypted (None once disposed)."""

    row: AttendeeRow
    name: str | None
    organisation: str | None


@dataclass(frozen=True)
class DocumentRecord:
    row: DocumentRow
    title: str | None


@dataclass(frozen=True)
class MeetingRecords:
    """Everything the page reads from the store about one meeting."""

    meeting: MeetingRow
    title: str | None
    attendees: tuple[AttendeeRecord, ...]
    documents: tuple[DocumentRecord, ...]
    latest_requests: Mapping[str, ConsentRequestRow]
    decisions: tuple[ConsentDecisionRow, ...]
    open_review_items: int
    audit: tuple[AuditEntryRow, ...]
    facts: MeetingFacts
    read_at: datetime
    removed_attendees: tuple[str | None, ...] = ()
    staff_name: str | None = None
    conditions: Mapping[str, str] = field(default_factory=dict)
    """The condition staff wrote down with an agreement, by decision id."""


@dataclass(frozen=True)
class Verdicts:
    recording: RecordingVerdict
    role: RoleStatement
    shares: Mapping[str, ShareVerdict]


async def load_meeting(uow: UnitOfWork, reference: str) -> MeetingRecords:
    """The meeting with this reference and everything about it; `MeetingNotFound` if none."""
    meeting = await uow.meetings.by_reference(reference)
    meeting_id = meeting.id
    attendees = await uow.meetings.attendees(meeting_id)
    documents = await uow.meetings.documents(meeting_id)
    removed = await uow.staff_pages.removed_attendees(meeting_id)
    decided = await uow.staff_pages.decisions(meeting_id)
    open_items = await uow.staff_pages.open_review_count(meeting_id)
    audit = await uow.staff_pages.audit_trail(meeting_id)
    return MeetingRecords(
        meeting=meeting,
        title=uow.decrypt(meeting.title_enc, "meetings", "title", meeting_id),
        staff_name=uow.decrypt(meeting.staff_name_enc, "meetings", "staff_name", meeting_id),
        attendees=tuple(
            AttendeeRecord(
                row=row,
                name=uow.decrypt(row.name_enc, "attendees", "name", row.id),
                organisation=uow.decrypt(row.organisation_enc, "attendees", "organisation", row.id),
            )
            for row in attendees
        ),
        documents=tuple(
            DocumentRecord(row, uow.decrypt(row.title_enc, "documents", "title", row.id))
            for row in documents
        ),
        latest_requests=await uow.meetings.latest_requests(meeting_id),
        decisions=decided,
        open_review_items=open_items or 0,
        audit=tuple(audit),
        facts=await uow.meetings.facts(meeting_id),
        read_at=uow.now(),
        removed_attendees=tuple(
            uow.decrypt(row.name_enc, "attendees", "name", row.id) for row in removed
        ),
        conditions={
            row.id: condition
            for row in decided
            if (
                condition := uow.decrypt(
                    row.condition_enc, "consent_decisions", "condition", row.id
                )
            )
        },
    )


def verdicts_for(records: MeetingRecords) -> Verdicts:
    """What the recording gate, the role statement and the share gate say about the meeting."""
    facts = records.facts
    return Verdicts(
        recording=evaluate_recording(facts),
        role=decide_role(facts),
        shares={d.row.id: evaluate_share(facts, d.row.id) for d in records.documents},
    )
