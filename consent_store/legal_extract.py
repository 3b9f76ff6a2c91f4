"""The extract sent to a local authority officer for a legal request (issue 17).

Policy: the manager may "direct that the relevant information be extracted from the file and
sent to the relevant officer, with a copy to the parent carers". What is relevant is the
chosen meetings' decisions and notes about the service user the request concerns, and nothing
about anyone else: for each meeting the request names, the service user's own invitation (their
name and how they were invited) and their own consent decisions with the evidence behind them
(their deciding words, any condition staff wrote down). Left out: the other attendees, the
consent requests' words (they name the others invited), the names of professionals named for
liaison, emails staff read, recordings and the audit log; and any meeting disposed of under
the retention schedule (its personal data is gone).

Built from the subject access report's parts (`consent_store.subject_access`,
`consent_store.access_report`), rendered as one
HTML document (`templates/legal_extract.html.j2`); its SHA-256 is what the store keeps.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import select

from consent_store.access_report import REPORT_HELPERS, DecisionHeld, Invitation
from consent_store.legal_requests import LegalRequests
from consent_store.subject_access import decision_held, invitation
from consent_store.tables import (
    AttendeeRow,
    ConsentDecisionRow,
    ConsentRequestRow,
    LegalRequestMeetingRow,
    MeetingRow,
)
from consent_store.unit_of_work import UnitOfWork
from templates import environment


@dataclass(frozen=True)
class LegalExtract:
    """What is sent to the officer, with a copy to the service user."""

    reference: str
    officer_name: str
    basis: str
    produced_at: datetime
    safeguarding: bool
    invitations: tuple[Invitation, ...]
    decisions: tuple[DecisionHeld, ...]

    @cached_property
    def html(self) -> bytes:
        return (
            environment()
            .get_template("legal_extract.html.j2")
            .render(extract=self, **REPORT_HELPERS)
            .encode()
        )

    @property
    def sha256(self) -> str:
        """The SHA-256 of the file attached, kept in the store and the audit log."""
        return hashlib.sha256(self.html).hexdigest()

    @property
    def file_name(self) -> str:
        """The attached file's name: the request's reference and the day, never a name."""
        return f"extract-{self.reference}-{self.produced_at:%Y-%m-%d}.html"


async def legal_extract(uow: UnitOfWork, request_id: str) -> LegalExtract:
    """The extract for the legal request: the service user's own invitations and decisions in
    the meetings it names (the same person, by the address they were invited at)."""
    records = LegalRequests(uow)
    request = await records.get_by_id(request_id)
    person = await records.service_user(request.attendee_id)
    session = uow.session
    attendee_rows = (
        await session.execute(
            select(AttendeeRow, MeetingRow)
            .join(MeetingRow, AttendeeRow.meeting_id == MeetingRow.id)
            .join(LegalRequestMeetingRow, LegalRequestMeetingRow.meeting_id == MeetingRow.id)
            .where(
                LegalRequestMeetingRow.request_id == request.id,
                MeetingRow.disposed_at.is_(None),
                (
                    AttendeeRow.email_index == person.email_index
                    if person.email_index is not None
                    else AttendeeRow.id == person.id
                ),
                AttendeeRow.kind == person.kind,
            )
            .order_by(MeetingRow.starts_at, AttendeeRow.position)
        )
    ).all()
    references = {meeting.id: meeting.reference for _, meeting in attendee_rows}
    decision_rows = (
        await session.execute(
            select(ConsentDecisionRow, ConsentRequestRow)
            .outerjoin(ConsentRequestRow, ConsentDecisionRow.request_id == ConsentRequestRow.id)
            .where(ConsentDecisionRow.attendee_id.in_([a.id for a, _ in attendee_rows]))
            .order_by(ConsentDecisionRow.received_at, ConsentDecisionRow.recorded_at)
        )
    ).all()
    return LegalExtract(
        reference=request.reference,
        officer_name=request.officer_name,
        basis=request.basis,
        produced_at=uow.now(),
        safeguarding=request.safeguarding is not None,
        invitations=tuple(invitation(uow, a, m) for a, m in attendee_rows),
        decisions=tuple(
            decision_held(uow, row, consent_request, references[row.meeting_id])
            for row, consent_request in decision_rows
        ),
    )
