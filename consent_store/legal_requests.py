"""Requests for information for legal reasons in the store (issue 17): logged by staff, decided
by the service manager, answered by the service user (read by the bot or, when unclear, by
the manager), overridden for safeguarding, and the extract sent. Who asked, their address, the
legal basis, the service user's deciding words and the safeguarding reason are sealed; the
rest is pseudonymous. What a request is read as is in `legal_request_records`, the claim to
send its extract in `legal_extract_claims`."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from consent_store.legal_extract_claims import ExtractClaims
from consent_store.legal_request_records import (
    Answer,
    AnswerTarget,
    ExtractSent,
    LegalRequest,
    NewAnswer,
    NewLegalRequest,
    Safeguarding,
    ServiceUserInvitation,
)
from consent_store.reference import LEGAL_REFERENCE_ALPHABET
from consent_store.repository import new_id
from consent_store.tables import (
    AttendeeRow,
    LegalRequestMeetingRow,
    LegalRequestRow,
    MeetingRow,
    ReviewItemRow,
)

TABLE = "legal_requests"
SERVICE_USER_KINDS = ("parent_carer", "young_person")


class LegalRequestNotFound(LookupError):
    """No legal request has that reference."""


class LegalRequests(ExtractClaims):
    """Reads and writes for legal requests within one unit of work (the caller commits), the
    extract's claim (`ExtractClaims`) included."""

    async def meetings_by_reference(self, references: Sequence[str]) -> dict[str, str]:
        """The ids of the meetings with these references (upper case), by reference; unknown
        references are left out."""
        rows = await self._uow.session.execute(
            select(MeetingRow.reference, MeetingRow.id).where(
                MeetingRow.reference.in_([r.upper() for r in references])
            )
        )
        return {reference: meeting_id for reference, meeting_id in rows}

    async def service_users_invited_to(
        self, meeting_ids: Sequence[str], email: str
    ) -> list[ServiceUserInvitation]:
        """Each parent carer or young person with this address (compared by blind index)
        invited to one of the meetings, the earliest meeting first."""
        rows = await self._uow.session.execute(
            select(AttendeeRow.meeting_id, AttendeeRow.id, AttendeeRow.kind)
            .join(MeetingRow, MeetingRow.id == AttendeeRow.meeting_id)
            .where(
                AttendeeRow.meeting_id.in_(meeting_ids),
                AttendeeRow.email_index == self._uow.store.blind_index.of_email(email),
                AttendeeRow.kind.in_(SERVICE_USER_KINDS),
                AttendeeRow.removed_at.is_(None),
            )
            .order_by(MeetingRow.starts_at, MeetingRow.id, AttendeeRow.position)
        )
        return [ServiceUserInvitation(*row) for row in rows]

    async def service_user(self, attendee_id: str) -> AttendeeRow:
        """The attendee whose permission a request asks."""
        row = await self._uow.session.get(AttendeeRow, attendee_id)
        if row is None:
            raise LegalRequestNotFound(attendee_id)
        return row

    async def add(self, request: NewLegalRequest) -> str:
        """Keep the request with its meetings, status "logged"; its reference."""
        row_id = new_id()
        reference = "LR-" + "".join(secrets.choice(LEGAL_REFERENCE_ALPHABET) for _ in range(8))
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
        return await self._request(await self._row(reference))

    async def get_by_id(self, request_id: str) -> LegalRequest:
        row = await self._uow.session.get(LegalRequestRow, request_id)
        if row is None:
            raise LegalRequestNotFound(request_id)
        return await self._request(row)

    async def _request(self, row: LegalRequestRow) -> LegalRequest:
        meetings = (
            await self._uow.session.execute(
                select(MeetingRow.reference, MeetingRow.disposed_at)
                .join(LegalRequestMeetingRow, LegalRequestMeetingRow.meeting_id == MeetingRow.id)
                .where(LegalRequestMeetingRow.request_id == row.id)
                .order_by(MeetingRow.starts_at)
            )
        ).all()
        opened = self._uow.decrypt
        answer = None
        if row.answered_at is not None:
            answer = Answer(
                received_at=row.answered_at,
                by=row.answered_by or "",
                auth=row.answer_auth or "none",
                sender_matches=bool(row.answer_sender_matches),
                phrase=opened(row.answer_phrase_enc, TABLE, "answer_phrase", row.id),
            )
        safeguarding = None
        if row.safeguarding_at is not None:
            safeguarding = Safeguarding(
                reason=opened(row.safeguarding_reason_enc, TABLE, "safeguarding_reason", row.id),
                by=row.safeguarding_by or "",
                at=row.safeguarding_at,
            )
        extract = None
        if row.extract_sent_at is not None and row.extract_sha256 is not None:
            extract = ExtractSent(row.extract_sha256, row.extract_sent_at)
        return LegalRequest(
            id=row.id,
            reference=row.reference,
            logged_at=row.logged_at,
            officer_name=opened(row.officer_name_enc, TABLE, "officer_name", row.id) or "",
            officer_email=opened(row.officer_email_enc, TABLE, "officer_email", row.id) or "",
            basis=opened(row.basis_enc, TABLE, "basis", row.id) or "",
            attendee_id=row.attendee_id,
            status=row.status,
            meeting_references=tuple(reference for reference, _ in meetings),
            disposed_meetings=tuple(
                reference for reference, disposed_at in meetings if disposed_at is not None
            ),
            decided_at=row.decided_at,
            permission_asked_at=row.decided_at if row.request_message_id else None,
            answer=answer,
            safeguarding=safeguarding,
            extract=extract,
            disposed_at=row.disposed_at,
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

    async def answered_by_messages(self, message_ids: set[str]) -> dict[str, str]:
        """The requests for permission among `message_ids` (the Message-IDs a reply answers),
        each with its legal request's id."""
        if not message_ids:
            return {}
        rows = await self._uow.session.execute(
            select(LegalRequestRow.request_message_id, LegalRequestRow.id).where(
                LegalRequestRow.request_message_id.in_(message_ids)
            )
        )
        return {message_id: request_id for message_id, request_id in rows if message_id}

    async def id_of(self, reference: str) -> str | None:
        """The id of the request with this reference, or None."""
        return await self._uow.session.scalar(
            select(LegalRequestRow.id).where(LegalRequestRow.reference == reference.upper())
        )

    async def answer_target(self, request_id: str) -> AnswerTarget:
        row = await self._uow.session.get(LegalRequestRow, request_id)
        if row is None:
            raise LegalRequestNotFound(request_id)
        attendee = await self.service_user(row.attendee_id)
        return AnswerTarget(
            row.id, row.reference, row.status, row.attendee_id, attendee.email_index
        )

    async def _move(self, request_id: str, from_status: str, values: dict[str, object]) -> bool:
        """Change the request only if it is still in `from_status` and its extract is not being
        sent (an answer cannot stop a send under way); whether it was (only one writer can
        win)."""
        result = await self._uow.session.execute(
            update(LegalRequestRow)
            .where(
                LegalRequestRow.id == request_id,
                LegalRequestRow.status == from_status,
                self._not_being_sent(),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return bool(result.rowcount == 1)

    async def record_answer(
        self, request_id: str, from_status: str, to_status: str, answer: NewAnswer
    ) -> bool:
        """Record the service user's answer, moving the request from `from_status` to
        `to_status`; False (nothing changed) if it no longer stands at `from_status`."""
        return await self._move(
            request_id,
            from_status,
            {
                "status": to_status,
                "answered_at": answer.received_at,
                "answered_by": answer.by,
                "answer_auth": answer.auth,
                "answer_sender_matches": answer.sender_matches,
                "answer_message_id": answer.message_id,
                "answer_email_sha256": answer.email_sha256,
                "answer_phrase_enc": self._uow.seal(
                    answer.phrase, TABLE, "answer_phrase", request_id
                ),
            },
        )

    async def record_safeguarding(
        self, request_id: str, from_status: str, to_status: str, reason: str, manager: str
    ) -> bool:
        """Record the manager's safeguarding reason to send without permission (sealed);
        False (nothing changed) if the request no longer stands at `from_status`."""
        return await self._move(
            request_id,
            from_status,
            {
                "status": to_status,
                "safeguarding_reason_enc": self._uow.seal(
                    reason, TABLE, "safeguarding_reason", request_id
                ),
                "safeguarding_by": manager,
                "safeguarding_at": self._uow.now(),
            },
        )

    async def link_review_item(self, item_id: str, request_id: str) -> None:
        """Mark the review item (just added) as a reply about this legal request."""
        await self._uow.session.flush()
        await self._uow.session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == item_id)
            .values(legal_request_id=request_id)
            .execution_options(synchronize_session=False)
        )

    async def open_review_items(self, request_id: str) -> list[ReviewItemRow]:
        """The replies about this request a person has yet to read, oldest first."""
        rows = await self._uow.session.scalars(
            select(ReviewItemRow)
            .where(ReviewItemRow.legal_request_id == request_id, ReviewItemRow.status == "open")
            .order_by(ReviewItemRow.received_at, ReviewItemRow.id)
        )
        return list(rows)

    async def references_of(self, request_ids: Sequence[str]) -> dict[str, str]:
        """The references of these requests, by id."""
        if not request_ids:
            return {}
        rows = await self._uow.session.execute(
            select(LegalRequestRow.id, LegalRequestRow.reference).where(
                LegalRequestRow.id.in_(request_ids)
            )
        )
        return {request_id: reference for request_id, reference in rows}

    async def concerning_meeting(self, meeting_id: str) -> list[LegalRequest]:
        """The legal requests that concern this meeting, oldest first."""
        rows = await self._uow.session.scalars(
            select(LegalRequestRow)
            .join(LegalRequestMeetingRow, LegalRequestMeetingRow.request_id == LegalRequestRow.id)
            .where(LegalRequestMeetingRow.meeting_id == meeting_id)
            .order_by(LegalRequestRow.logged_at)
        )
        return [await self._request(row) for row in rows]

    async def about_attendees(self, attendee_ids: Sequence[str]) -> list[LegalRequest]:
        """The legal requests whose permission these attendees were (or would be) asked,
        oldest first."""
        if not attendee_ids:
            return []
        rows = await self._uow.session.scalars(
            select(LegalRequestRow)
            .where(LegalRequestRow.attendee_id.in_(attendee_ids))
            .order_by(LegalRequestRow.logged_at)
        )
        return [await self._request(row) for row in rows]
