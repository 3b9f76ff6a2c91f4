"""Retention: dispose of the personal data of meetings past the retention period.

The confidentiality policy keeps records "in accordance with the ... corporate retention and
disposal policy", with safeguarding as the one exception to confidentiality; so a meeting under
a safeguarding hold is kept. Disposal clears every encrypted field and blind index of the
meeting and of what hangs off it, and deletes who was present (rows that are nothing but a
blind index); what remains (ids, times, enumerations, the audit chain) is
pseudonymous and still counts in statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from consent_store.audit import AuditEvent
from consent_store.tables import (
    AttendeeRow,
    ConsentDecisionRow,
    ConsentRequestRow,
    DocumentRow,
    LiaisonOrganisationRow,
    MeetingRow,
    PresenceRow,
    RecordingArtefactRow,
    ReviewItemRow,
    SharedFileRow,
)
from consent_store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DisposalPlan:
    """What a disposal run removes (or, on a dry run, would remove)."""

    cutoff: datetime
    meeting_references: tuple[str, ...]
    meetings_held: int
    unmatched_review_items: int


async def plan_disposal(uow: UnitOfWork, retention: timedelta) -> DisposalPlan:
    """Meetings that ended before now minus `retention`, not yet disposed of and not held."""
    cutoff = uow.now() - retention
    expired = (MeetingRow.ends_at < cutoff) & MeetingRow.disposed_at.is_(None)
    due = (
        await uow.session.scalars(
            select(MeetingRow.reference)
            .where(expired & ~MeetingRow.safeguarding_hold)
            .order_by(MeetingRow.ends_at)
        )
    ).all()
    held = (
        await uow.session.scalars(
            select(MeetingRow.id).where(expired & MeetingRow.safeguarding_hold)
        )
    ).all()
    unmatched = (
        await uow.session.scalars(
            select(ReviewItemRow.id).where(
                ReviewItemRow.meeting_id.is_(None),
                ReviewItemRow.received_at < cutoff,
                ReviewItemRow.sender_index.is_not(None),
            )
        )
    ).all()
    return DisposalPlan(cutoff, tuple(due), len(held), len(unmatched))


SCRUBBED_TABLES = (
    "meetings",
    "attendees",
    "documents",
    "consent_decisions",
    "review_items",
    "shared_files",
    "recording_artefacts",
    "meeting_presence",
    "meeting_activities",
    "call_notices",
)


async def dispose(uow: UnitOfWork, plan: DisposalPlan, actor: str) -> None:
    """Carry out `plan` in this unit of work, auditing each meeting.

    The caller commits, then calls `engine.scrub_freed_space` so the old values are gone from
    the database files too.
    """
    now = uow.now()
    session = uow.session
    for reference in plan.meeting_references:
        meeting = await uow.meetings.by_reference(reference)
        if meeting.safeguarding_hold or meeting.disposed_at is not None:
            continue
        meeting.title_enc = None
        meeting.staff_name_enc = None
        meeting.disposed_at = now
        await session.execute(
            update(AttendeeRow)
            .where(AttendeeRow.meeting_id == meeting.id)
            .values(name_enc=None, email_enc=None, email_index=None, organisation_enc=None)
        )
        await session.execute(
            update(DocumentRow)
            .where(DocumentRow.meeting_id == meeting.id)
            .values(title_enc=None, url_enc=None)
        )
        await session.execute(
            update(ConsentDecisionRow)
            .where(ConsentDecisionRow.meeting_id == meeting.id)
            .values(
                sender_enc=None,
                sender_index=None,
                phrase_enc=None,
                message_id=None,
                condition_enc=None,
            )
        )
        await session.execute(
            update(ConsentRequestRow)
            .where(ConsentRequestRow.meeting_id == meeting.id)
            .values(text_enc=None)
        )
        await session.execute(
            update(SharedFileRow)
            .where(SharedFileRow.meeting_id == meeting.id)
            .values(name_enc=None)
        )
        await session.execute(
            update(LiaisonOrganisationRow)
            .where(LiaisonOrganisationRow.meeting_id == meeting.id)
            .values(name_enc=None)
        )
        await session.execute(
            update(RecordingArtefactRow)
            .where(RecordingArtefactRow.meeting_id == meeting.id)
            .values(resolution_enc=None)
        )
        await session.execute(delete(PresenceRow).where(PresenceRow.meeting_id == meeting.id))
        await session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.meeting_id == meeting.id)
            .values(sender_enc=None, sender_index=None, text_enc=None, message_id=None)
        )
        await uow.audit(AuditEvent("meeting.disposed", actor=actor, meeting_id=meeting.id))
    if plan.unmatched_review_items:
        await session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.meeting_id.is_(None), ReviewItemRow.received_at < plan.cutoff)
            .values(sender_enc=None, sender_index=None, text_enc=None, message_id=None)
        )
        await uow.audit(
            AuditEvent(
                "review_items.disposed",
                actor=actor,
                detail={"count": plan.unmatched_review_items},
            )
        )
