"""Retention: dispose of the personal data of meetings past the retention period.

The confidentiality policy keeps records "in accordance with the ... corporate retention and
disposal policy", with safeguarding as the one exception to confidentiality; so a meeting under
a safeguarding hold is kept. Disposal clears every encrypted field and blind index of the
meeting and of what hangs off it, and deletes who was present (rows that are nothing but a
blind index); what remains (ids, times, enumerations, the audit chain) is
pseudonymous and still counts in statistics.

A request for information for legal reasons is part of the file about the service user: who
asked, the legal basis they gave, the service user's answer in their own words and the
manager's safeguarding reason all say something about that person's case. A request is about
the meetings it names, so its personal fields go when the last of those meetings goes (one
still kept, or held for safeguarding, keeps the request whole: it may still be needed); the
replies about it in the review queue go with them. Until then, a disposed meeting leaves the
request only as far as its content goes: the extract never holds a disposed meeting. What the
audit trail needs stays: the request's reference, who logged and decided it (staff ids), its
dates and outcome, the sender check's result, and the SHA-256 of each email and of the extract.
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
    LegalRequestMeetingRow,
    LegalRequestRow,
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
    legal_requests: int = 0
    """Legal requests whose personal fields go because every meeting they name goes."""


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
    due_ids = (
        await uow.session.scalars(select(MeetingRow.id).where(MeetingRow.reference.in_(due)))
    ).all()
    legal = await _legal_requests_emptied(uow, set(due_ids))
    return DisposalPlan(cutoff, tuple(due), len(held), len(unmatched), len(legal))


async def _legal_requests_emptied(uow: UnitOfWork, going: set[str]) -> list[str]:
    """The legal requests (not yet disposed of) naming one of the meetings `going` whose every
    meeting is either disposed of already or going now; oldest first."""
    if not going:
        return []
    rows = (
        await uow.session.execute(
            select(LegalRequestRow.id, MeetingRow.id, MeetingRow.disposed_at)
            .join(LegalRequestMeetingRow, LegalRequestMeetingRow.request_id == LegalRequestRow.id)
            .join(MeetingRow, LegalRequestMeetingRow.meeting_id == MeetingRow.id)
            .where(
                LegalRequestRow.disposed_at.is_(None),
                LegalRequestRow.id.in_(
                    select(LegalRequestMeetingRow.request_id).where(
                        LegalRequestMeetingRow.meeting_id.in_(going)
                    )
                ),
            )
            .order_by(LegalRequestRow.logged_at, LegalRequestRow.id)
        )
    ).all()
    kept = {
        request_id
        for request_id, meeting_id, disposed_at in rows
        if disposed_at is None and meeting_id not in going
    }
    return list(dict.fromkeys(r for r, _, _ in rows if r not in kept))


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
    "legal_requests",
)


async def dispose(uow: UnitOfWork, plan: DisposalPlan, actor: str) -> None:
    """Carry out `plan` in this unit of work, auditing each meeting.

    The caller commits, then calls `engine.scrub_freed_space` so the old values are gone from
    the database files too.
    """
    now = uow.now()
    session = uow.session
    meetings = [await uow.meetings.by_reference(reference) for reference in plan.meeting_references]
    going = [m for m in meetings if not m.safeguarding_hold and m.disposed_at is None]
    await _repoint_legal_requests(uow, {m.id for m in going})
    for meeting in going:
        meeting.title_enc = None
        meeting.staff_name_enc = None
        meeting.needs_enc = None
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
    await _dispose_legal_requests(uow, {m.id for m in going}, actor)
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


async def _repoint_legal_requests(uow: UnitOfWork, going: set[str]) -> None:
    """A legal request naming meetings that go and meetings that stay asks the permission of
    the service user as invited to one of them: if that one goes, the request is pointed at the
    same person (by the address they were invited at, and as the same kind of attendee) as
    invited to a meeting it names that stays, so it keeps reaching them and their extract."""
    if not going:
        return
    session = uow.session
    emptied = set(await _legal_requests_emptied(uow, going))
    rows = (
        await session.execute(
            select(LegalRequestRow, AttendeeRow)
            .join(AttendeeRow, LegalRequestRow.attendee_id == AttendeeRow.id)
            .where(
                AttendeeRow.meeting_id.in_(going),
                LegalRequestRow.disposed_at.is_(None),
            )
        )
    ).all()
    for request, attendee in rows:
        if request.id in emptied or attendee.email_index is None:
            continue
        staying = await session.scalar(
            select(AttendeeRow.id)
            .join(
                LegalRequestMeetingRow,
                LegalRequestMeetingRow.meeting_id == AttendeeRow.meeting_id,
            )
            .join(MeetingRow, MeetingRow.id == AttendeeRow.meeting_id)
            .where(
                LegalRequestMeetingRow.request_id == request.id,
                MeetingRow.id.not_in(going),
                MeetingRow.disposed_at.is_(None),
                AttendeeRow.email_index == attendee.email_index,
                AttendeeRow.kind == attendee.kind,
                AttendeeRow.removed_at.is_(None),
            )
            .order_by(MeetingRow.starts_at, AttendeeRow.position)
            .limit(1)
        )
        if staying is not None:
            request.attendee_id = staying


async def _dispose_legal_requests(uow: UnitOfWork, disposed: set[str], actor: str) -> None:
    """Clear the personal fields of the legal requests whose last meeting was just disposed
    of, and the replies about them in the review queue; audit each (by reference)."""
    session = uow.session
    for request_id in await _legal_requests_emptied(uow, disposed):
        request = await session.get(LegalRequestRow, request_id)
        assert request is not None
        request.officer_name_enc = None
        request.officer_email_enc = None
        request.basis_enc = None
        request.answer_phrase_enc = None
        request.answer_message_id = None
        request.safeguarding_reason_enc = None
        request.disposed_at = uow.now()
        await session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.legal_request_id == request_id)
            .values(sender_enc=None, sender_index=None, text_enc=None, message_id=None)
        )
        await uow.audit(
            AuditEvent(
                "legal_request.disposed",
                actor=actor,
                subject_id=request.attendee_id,
                detail={"reference": request.reference},
            )
        )
