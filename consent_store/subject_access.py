"""Subject access: everything the store holds about one person, found by email address.

The confidentiality policy: notes requested "under a Subject Access Request" are sent "directly
to them". The report gathers the meetings the person was invited to, the consent requests sent
to them (with their words as sent, where kept), the consent decisions with their evidence and
any condition staff wrote down (for permission to liaise, the professionals or organisations
the request named), review items from their address, the requests for their information for
legal reasons (who asked and why, their answer, whether and when anything was sent, with its
fingerprint), and the audit entries about them. The report's records, and the report as data
(JSON) and as a readable document (HTML), are in `consent_store.access_report`.

A legal request's extract sent without permission for safeguarding is reported as such, with
when; the manager's typed reason is not in the report: whether to disclose it is the service
manager's decision, who reads the report before sending it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import or_, select

from consent_store.access_report import (
    AuditEntryHeld,
    DecisionHeld,
    Invitation,
    LegalRequestHeld,
    NeedsHeld,
    RecordingHeld,
    RequestSent,
    ReviewItemHeld,
    SubjectAccessReport,
)
from consent_store.legal_request_records import LegalRequest
from consent_store.legal_requests import LegalRequests
from consent_store.needs import needs_of
from consent_store.tables import (
    AttendeeRow,
    AuditEntryRow,
    ConsentDecisionRow,
    ConsentRequestRow,
    LiaisonOrganisationRow,
    LiaisonRequestOrganisationRow,
    MeetingRow,
    RecordingArtefactRow,
    ReviewItemRow,
)
from consent_store.unit_of_work import UnitOfWork
from domain.terms import AttendeeKind


def invitation(uow: UnitOfWork, attendee: AttendeeRow, meeting: MeetingRow) -> Invitation:
    """One invitation as held, decrypted."""
    return Invitation(
        meeting_reference=meeting.reference,
        meeting_title=uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        invited_as=attendee.kind,
        name=uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id),
        email=uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id),
        organisation=uow.decrypt(
            attendee.organisation_enc, "attendees", "organisation", attendee.id
        ),
    )


def decision_held(
    uow: UnitOfWork,
    row: ConsentDecisionRow,
    request: ConsentRequestRow | None,
    meeting_reference: str,
) -> DecisionHeld:
    """One consent decision as held, with its evidence and the request it answered."""
    return DecisionHeld(
        meeting_reference=meeting_reference,
        topic=row.topic,
        decision=row.decision,
        received_at=row.received_at,
        sender=uow.decrypt(row.sender_enc, "consent_decisions", "sender", row.id),
        authentication=row.auth_verdict,
        sender_matched_invitation=row.sender_matches,
        deciding_phrase=uow.decrypt(row.phrase_enc, "consent_decisions", "phrase", row.id),
        email_message_id=row.message_id,
        email_sha256=row.email_sha256,
        request_text_version=request.template_version if request else None,
        request_text_sha256=request.text_sha256 if request else None,
        decided_by=row.decided_by,
        condition=uow.decrypt(row.condition_enc, "consent_decisions", "condition", row.id),
    )


async def subject_access_report(uow: UnitOfWork, email: str) -> SubjectAccessReport:
    """Gather what the store holds about the person with this email address."""
    index = uow.store.blind_index.of_email(email)
    session = uow.session
    references = dict((await session.execute(select(MeetingRow.id, MeetingRow.reference))).all())

    attendee_rows = (
        await session.execute(
            select(AttendeeRow, MeetingRow)
            .join(MeetingRow, AttendeeRow.meeting_id == MeetingRow.id)
            .where(AttendeeRow.email_index == index)
            .order_by(MeetingRow.starts_at)
        )
    ).all()
    attendee_ids = [attendee.id for attendee, _ in attendee_rows]
    invitations = tuple(invitation(uow, attendee, meeting) for attendee, meeting in attendee_rows)

    request_rows = (
        await session.scalars(
            select(ConsentRequestRow)
            .where(ConsentRequestRow.attendee_id.in_(attendee_ids))
            .order_by(ConsentRequestRow.sent_at, ConsentRequestRow.id)
        )
    ).all()
    requests_sent = tuple(
        RequestSent(
            meeting_reference=references[row.meeting_id],
            sent_at=row.sent_at,
            topics=tuple(row.topics),
            text_version=row.template_version,
            text_sha256=row.text_sha256,
            text=uow.decrypt(row.text_enc, "consent_requests", "text", row.id),
        )
        for row in request_rows
    )

    decision_rows = (
        await session.execute(
            select(ConsentDecisionRow, ConsentRequestRow)
            .outerjoin(ConsentRequestRow, ConsentDecisionRow.request_id == ConsentRequestRow.id)
            .where(
                or_(
                    ConsentDecisionRow.attendee_id.in_(attendee_ids),
                    ConsentDecisionRow.sender_index == index,
                )
            )
            .order_by(ConsentDecisionRow.received_at, ConsentDecisionRow.recorded_at)
        )
    ).all()
    named = await _organisations_named(uow, [row.request_id for row, _ in decision_rows])
    decisions = tuple(
        replace(
            decision_held(uow, row, request, references[row.meeting_id]),
            organisations=named.get(row.request_id or "", ()) if row.topic == "liaison" else (),
        )
        for row, request in decision_rows
    )

    review_rows = (
        await session.scalars(
            select(ReviewItemRow)
            .where(ReviewItemRow.sender_index == index)
            .order_by(ReviewItemRow.received_at)
        )
    ).all()
    review_items = tuple(
        ReviewItemHeld(
            meeting_reference=references.get(row.meeting_id) if row.meeting_id else None,
            received_at=row.received_at,
            reason=row.reason,
            status=row.status,
            text=uow.decrypt(row.text_enc, "review_items", "text", row.id),
        )
        for row in review_rows
    )

    recording_rows = (
        await session.scalars(
            select(RecordingArtefactRow)
            .where(RecordingArtefactRow.meeting_id.in_({m.id for _, m in attendee_rows}))
            .order_by(RecordingArtefactRow.found_at, RecordingArtefactRow.id)
        )
    ).all()
    recordings = tuple(
        RecordingHeld(
            meeting_reference=references[row.meeting_id],
            kind=row.kind,
            graph_id=row.graph_id,
            made_at=row.created_at,
            ended_at=row.ended_at,
            with_everyones_consent=row.permitted,
        )
        for row in recording_rows
    )

    concerned = attendee_ids + [row.id for row, _ in decision_rows] + [r.id for r in review_rows]
    audit_rows = (
        await session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.subject_id.in_(concerned))
            .order_by(AuditEntryRow.seq)
        )
    ).all()
    audit_entries = tuple(
        AuditEntryHeld(
            seq=row.seq,
            at=row.at,
            action=row.action,
            meeting_reference=references.get(row.meeting_id) if row.meeting_id else None,
            detail=row.detail,
        )
        for row in audit_rows
    )
    return SubjectAccessReport(
        email=email,
        produced_at=uow.now(),
        invitations=invitations,
        decisions=decisions,
        review_items=review_items,
        audit_entries=audit_entries,
        recordings=recordings,
        requests_sent=requests_sent,
        legal_requests=tuple(
            _legal_request_held(request)
            for request in await LegalRequests(uow).about_attendees(attendee_ids)
        ),
        needs=tuple(
            held
            for attendee, meeting in attendee_rows
            if (held := needs_held(uow, attendee, meeting, email)) is not None
        ),
    )


def needs_held(
    uow: UnitOfWork, attendee: AttendeeRow, meeting: MeetingRow, email: str
) -> NeedsHeld | None:
    """What the meeting's individual needs say that is about this person, or None."""
    needs = needs_of(uow, meeting)
    supporter = needs.supporter
    if supporter is not None and supporter.email.strip().lower() == email.strip().lower():
        return NeedsHeld(meeting.reference, None, None, None, supporter.role)
    if not needs.any or not AttendeeKind(attendee.kind).is_service_user:
        return None
    return NeedsHeld(
        meeting.reference,
        needs.joins_by_phone,
        needs.easy_read,
        needs.other_format,
        supporter.role if supporter else None,
    )


async def _organisations_named(
    uow: UnitOfWork, request_ids: Sequence[str | None]
) -> dict[str, tuple[str, ...]]:
    """The professionals or organisations each consent request named for liaison."""
    wanted = {request_id for request_id in request_ids if request_id}
    if not wanted:
        return {}
    rows = await uow.session.execute(
        select(LiaisonRequestOrganisationRow.request_id, LiaisonOrganisationRow)
        .join(
            LiaisonOrganisationRow,
            LiaisonOrganisationRow.id == LiaisonRequestOrganisationRow.organisation_id,
        )
        .where(LiaisonRequestOrganisationRow.request_id.in_(wanted))
        .order_by(LiaisonOrganisationRow.position)
    )
    named: dict[str, list[str]] = {}
    for request_id, organisation in rows:
        name = uow.decrypt(organisation.name_enc, "liaison_organisations", "name", organisation.id)
        named.setdefault(request_id, []).append(name or "(name removed)")
    return {request_id: tuple(names) for request_id, names in named.items()}


def _legal_request_held(request: LegalRequest) -> LegalRequestHeld:
    answer = None
    if request.answer is not None:
        refused = request.status == "permission_refused" or request.safeguarding is not None
        answer = "refused" if refused else "given"
    return LegalRequestHeld(
        reference=request.reference,
        logged_at=request.logged_at,
        officer=request.officer_name,
        basis=request.basis,
        meeting_references=request.meeting_references,
        status=request.status,
        permission_asked_at=request.permission_asked_at,
        answer=answer,
        answered_at=request.answer.received_at if request.answer else None,
        answer_words=request.answer.phrase if request.answer else None,
        sent_for_safeguarding_at=request.safeguarding.at if request.safeguarding else None,
        extract_sent_at=request.extract.at if request.extract else None,
        extract_sha256=request.extract.sha256 if request.extract else None,
    )


async def subject_ids(uow: UnitOfWork, email: str) -> tuple[str, ...]:
    """The store's pseudonymous ids of what it holds about the person with this address, for
    an audit entry that must not name them: their invitations (earliest meeting first), then
    the decisions about them or from their address, then the emails from their address that a
    person read. Empty when nothing is held."""
    index = uow.store.blind_index.of_email(email)
    session = uow.session
    attendee_ids = list(
        await session.scalars(
            select(AttendeeRow.id)
            .join(MeetingRow, AttendeeRow.meeting_id == MeetingRow.id)
            .where(AttendeeRow.email_index == index)
            .order_by(MeetingRow.starts_at, AttendeeRow.id)
        )
    )
    decision_ids = list(
        await session.scalars(
            select(ConsentDecisionRow.id)
            .where(
                or_(
                    ConsentDecisionRow.attendee_id.in_(attendee_ids),
                    ConsentDecisionRow.sender_index == index,
                )
            )
            .order_by(ConsentDecisionRow.received_at, ConsentDecisionRow.id)
        )
    )
    review_ids = list(
        await session.scalars(
            select(ReviewItemRow.id)
            .where(ReviewItemRow.sender_index == index)
            .order_by(ReviewItemRow.received_at, ReviewItemRow.id)
        )
    )
    return (*attendee_ids, *decision_ids, *review_ids)
