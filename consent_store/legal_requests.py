"""Requests for information for legal reasons in the store (issue 17): logged by staff, decided
by the service manager. Who asked, their address and the legal basis are sealed; the rest is
pseudonymous."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from consent_store.repository import new_id
from consent_store.tables import (
    AttendeeRow,
    LegalRequestMeetingRow,
    LegalRequestRow,
    MeetingRow,
)
from consent_store.unit_of_work import UnitOfWork

TABLE = "legal_requests"
REFERENCE_ALPHABET = "23456789BCDFGHJKLMNPQRSTVWXYZ"
SERVICE_USER_KINDS = ("parent_carer", "young_person")


class LegalRequestNotFound(LookupError):
    """No legal request has that reference."""


@dataclass(frozen=True, slots=True)
class NewLegalRequest:
    officer_name: str
    officer_email: str
    basis: str
    attendee_id: str
    meeting_ids: tuple[str, ...]
    logged_by: str


@dataclass(frozen=True, slots=True)
class LegalRequest:
    """A legal request as staff and the manager see it."""

    id: str
    reference: str
    logged_at: datetime
    officer_name: str
    officer_email: str
    basis: str
    attendee_id: str
    status: str
    meeting_references: tuple[str, ...]


class LegalRequests:
    """Reads and writes for legal requests within one unit of work (the caller commits)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def meetings_by_reference(self, references: Sequence[str]) -> dict[str, str]:
        """The ids of the meetings with these references (upper case), by reference; unknown
        references are left out."""
        rows = await self._uow.session.execute(
            select(MeetingRow.reference, MeetingRow.id).where(
                MeetingRow.reference.in_([r.upper() for r in references])
            )
        )
        return {reference: meeting_id for reference, meeting_id in rows}

    async def service_user_invited_to(
        self, meeting_ids: Sequence[str], email: str
    ) -> dict[str, str]:
        """The attendee ids, by meeting, of a parent carer or young person with this address
        invited to the meetings (compared by blind index)."""
        rows = await self._uow.session.execute(
            select(AttendeeRow.meeting_id, AttendeeRow.id).where(
                AttendeeRow.meeting_id.in_(meeting_ids),
                AttendeeRow.email_index == self._uow.store.blind_index.of_email(email),
                AttendeeRow.kind.in_(SERVICE_USER_KINDS),
                AttendeeRow.removed_at.is_(None),
            )
        )
        return {meeting_id: attendee_id for meeting_id, attendee_id in rows}

    async def service_user(self, attendee_id: str) -> AttendeeRow:
        """The attendee whose permission a request asks."""
        row = await self._uow.session.get(AttendeeRow, attendee_id)
        if row is None:
            raise LegalRequestNotFound(attendee_id)
        return row

    async def add(self, request: NewLegalRequest) -> str:
        """Keep the request with its meetings, status "logged"; its reference."""
        row_id = new_id()
        reference = "LR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        uow = self._uow
        uow.session.add(
            LegalRequestRow(
                id=row_id,
                reference=reference,
                logged_at=uow.now(),
                logged_by=request.logged_by,
                officer_name_enc=uow.seal(request.officer_name, TABLE, "officer_name", row_id),
                officer_email_enc=uow.seal(request.officer_email, TABLE, "officer_email", row_id),
                basis_enc=uow.seal(request.basis, TABLE, "basis", row_id),
                attendee_id=request.attendee_id,
                status="logged",
            )
        )
        await uow.session.flush()
        uow.session.add_all(
            LegalRequestMeetingRow(request_id=row_id, meeting_id=meeting_id)
            for meeting_id in request.meeting_ids
        )
        await uow.session.flush()
        return reference

    async def _row(self, reference: str) -> LegalRequestRow:
        row = await self._uow.session.scalar(
            select(LegalRequestRow).where(LegalRequestRow.reference == reference.upper())
        )
        if row is None:
            raise LegalRequestNotFound(reference)
        return row

    async def get(self, reference: str) -> LegalRequest:
        row = await self._row(reference)
        meetings = await self._uow.session.scalars(
            select(MeetingRow.reference)
            .join(LegalRequestMeetingRow, LegalRequestMeetingRow.meeting_id == MeetingRow.id)
            .where(LegalRequestMeetingRow.request_id == row.id)
            .order_by(MeetingRow.starts_at)
        )
        opened = self._uow.decrypt
        return LegalRequest(
            id=row.id,
            reference=row.reference,
            logged_at=row.logged_at,
            officer_name=opened(row.officer_name_enc, TABLE, "officer_name", row.id) or "",
            officer_email=opened(row.officer_email_enc, TABLE, "officer_email", row.id) or "",
            basis=opened(row.basis_enc, TABLE, "basis", row.id) or "",
            attendee_id=row.attendee_id,
            status=row.status,
            meeting_references=tuple(meetings),
        )

    async def all(self) -> list[LegalRequest]:
        """Every legal request, newest first."""
        references = await self._uow.session.scalars(
            select(LegalRequestRow.reference).order_by(LegalRequestRow.logged_at.desc())
        )
        return [await self.get(reference) for reference in references]

    async def decide(
        self,
        reference: str,
        status: str,
        manager: str,
        *,
        message_id: str | None = None,
        sha256: str | None = None,
    ) -> bool:
        """Record the manager's decision, only on a request still "logged"; False if it was
        already decided (nothing is changed)."""
        row = await self._row(reference)
        if row.status != "logged":
            return False
        row.status = status
        row.decided_by = manager
        row.decided_at = self._uow.now()
        row.request_message_id = message_id
        row.request_sha256 = sha256
        await self._uow.session.flush()
        return True
