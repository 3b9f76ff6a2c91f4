"""The meetings themselves: a meeting with its attendees and proposed documents, stored,
changed and read back, and what the gates need about it (`facts`, which touches no personal
data); when it was seen starting, the organiser's upcoming meetings, files shared in its chat,
the safeguarding hold and the recording outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select, update

from consent_store.overview import facts_without_presence
from consent_store.presence import MeetingPresence
from consent_store.records import NewAttendee, NewDocument, NewMeeting
from consent_store.reference import new_reference
from consent_store.repository import MeetingNotFound, RepositoryPart, new_id
from consent_store.tables import AttendeeRow, DocumentRow, MeetingRow, SharedFileRow
from domain.terms import MeetingFacts, Participant


class MeetingRecords(RepositoryPart):
    """Meetings, their attendees and documents, and what the gates need about them."""

    async def _unused_reference(self) -> str:
        while True:
            reference = new_reference()
            taken = await self._session.scalar(
                select(MeetingRow.id).where(MeetingRow.reference == reference)
            )
            if taken is None:
                return reference

    async def add(self, meeting: NewMeeting, now: datetime) -> MeetingRow:
        """Store a new meeting with its attendees and proposed documents."""
        if meeting.ends_at <= meeting.starts_at:
            raise ValueError("a meeting must end after it starts")
        meeting_id = new_id()
        row = MeetingRow(
            id=meeting_id,
            reference=await self._unused_reference(),
            title_enc=self._seal(meeting.title, "meetings", "title", meeting_id),
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            organiser_user_id=meeting.organiser_user_id,
            declared_role=meeting.declared_role.value,
            recording_requested=meeting.recording_requested,
            status="scheduled",
            safeguarding_hold=False,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        self._add_attendee_rows(meeting_id, 0, meeting.attendees)
        self._add_document_rows(meeting_id, 0, meeting.documents, now)
        await self._session.flush()
        return row

    def _add_attendee_rows(
        self, meeting_id: str, first_position: int, attendees: Iterable[NewAttendee]
    ) -> list[AttendeeRow]:
        rows = []
        for position, attendee in enumerate(attendees, start=first_position):
            attendee_id = new_id()
            rows.append(
                AttendeeRow(
                    id=attendee_id,
                    meeting_id=meeting_id,
                    position=position,
                    kind=attendee.kind.value,
                    name_enc=self._seal(attendee.name, "attendees", "name", attendee_id),
                    email_enc=self._seal(attendee.email, "attendees", "email", attendee_id),
                    email_index=self._blind_index.of_email(attendee.email),
                    organisation_enc=self._seal(
                        attendee.organisation, "attendees", "organisation", attendee_id
                    ),
                )
            )
        self._session.add_all(rows)
        return rows

    def _add_document_rows(
        self,
        meeting_id: str,
        first_position: int,
        documents: Iterable[NewDocument],
        now: datetime,
    ) -> list[DocumentRow]:
        rows = []
        for position, document in enumerate(documents, start=first_position):
            document_id = new_id()
            rows.append(
                DocumentRow(
                    id=document_id,
                    meeting_id=meeting_id,
                    position=position,
                    title_enc=self._seal(document.title, "documents", "title", document_id),
                    url_enc=self._seal(document.url, "documents", "url", document_id),
                    listed_at=now,
                )
            )
        self._session.add_all(rows)
        return rows

    async def _next_position(
        self, table: type[AttendeeRow] | type[DocumentRow], meeting_id: str
    ) -> int:
        last = await self._session.scalar(
            select(func.max(table.position)).where(table.meeting_id == meeting_id)
        )
        return 0 if last is None else last + 1

    async def add_attendees(
        self, meeting_id: str, attendees: Sequence[NewAttendee]
    ) -> list[AttendeeRow]:
        """Invite more people to a stored meeting, after everyone invited before."""
        position = await self._next_position(AttendeeRow, meeting_id)
        rows = self._add_attendee_rows(meeting_id, position, attendees)
        await self._session.flush()
        return rows

    async def add_documents(
        self, meeting_id: str, documents: Sequence[NewDocument], now: datetime
    ) -> list[DocumentRow]:
        """Propose more documents for a stored meeting, listed `now`."""
        position = await self._next_position(DocumentRow, meeting_id)
        rows = self._add_document_rows(meeting_id, position, documents, now)
        await self._session.flush()
        return rows

    async def get(self, meeting_id: str) -> MeetingRow:
        row = await self._session.get(MeetingRow, meeting_id)
        if row is None:
            raise MeetingNotFound(meeting_id)
        return row

    async def by_reference(self, reference: str) -> MeetingRow:
        row = await self._session.scalar(
            select(MeetingRow).where(MeetingRow.reference == reference.upper())
        )
        if row is None:
            raise MeetingNotFound(reference)
        return row

    async def by_chat_thread(self, thread_id: str) -> MeetingRow | None:
        """The meeting whose Teams chat has this thread id, if any."""
        return await self._session.scalar(
            select(MeetingRow).where(MeetingRow.teams_chat_thread_id == thread_id).limit(1)
        )

    async def remove_attendees(
        self, meeting_id: str, attendee_ids: Collection[str], now: datetime
    ) -> None:
        """Take attendees off the meeting: their rows (and consent evidence) are kept for the
        audit trail and subject access, but they no longer count for the gates."""
        await self._session.execute(
            update(AttendeeRow)
            .where(AttendeeRow.meeting_id == meeting_id, AttendeeRow.id.in_(attendee_ids))
            .values(removed_at=now)
        )

    async def remove_documents(
        self, meeting_id: str, document_ids: Collection[str], now: datetime
    ) -> None:
        """Stop proposing documents for the meeting; their rows are kept."""
        await self._session.execute(
            update(DocumentRow)
            .where(DocumentRow.meeting_id == meeting_id, DocumentRow.id.in_(document_ids))
            .values(removed_at=now)
        )

    async def attendees(self, meeting_id: str) -> list[AttendeeRow]:
        """The meeting's attendees, in order, leaving out anyone staff removed."""
        return list(
            await self._session.scalars(
                select(AttendeeRow)
                .where(AttendeeRow.meeting_id == meeting_id, AttendeeRow.removed_at.is_(None))
                .order_by(AttendeeRow.position)
            )
        )

    async def documents(self, meeting_id: str) -> list[DocumentRow]:
        """The meeting's proposed documents, in order, leaving out any staff removed."""
        return list(
            await self._session.scalars(
                select(DocumentRow)
                .where(DocumentRow.meeting_id == meeting_id, DocumentRow.removed_at.is_(None))
                .order_by(DocumentRow.position)
            )
        )

    async def facts(
        self, meeting_id: str, present: tuple[Participant, ...] | None = None
    ) -> MeetingFacts:
        """What the gates need about a meeting.

        Two round trips: the meeting with its attendees and their decisions (outer joins, so a
        meeting without attendees or replies still comes back), then its documents. A third
        reads who the store records as in the meeting now (`consent_store.presence`) unless
        `present` is given: only the recording gate looks at presence, so a caller asking
        only the share gate, the role statement or about attendees passes `present=()`.

        The meeting has started once a start was seen (`mark_started`) or its scheduled start
        has passed, whichever is first.
        """
        found = await facts_without_presence(self._session, [meeting_id], self._clock())
        if meeting_id not in found:
            raise MeetingNotFound(meeting_id)
        if present is None:
            present = await MeetingPresence(self._session, self._blind_index).present(meeting_id)
        return replace(found[meeting_id], present=present)

    async def mark_started(self, meeting_id: str, at: datetime) -> bool:
        """Note that the meeting was seen starting at `at`, keeping the earliest start seen;
        whether this was the first start seen. Atomic, so instances noting starts at once
        agree on which was first."""
        first = await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.started_at.is_(None))
            .values(started_at=at)
            .execution_options(synchronize_session=False)
            .returning(MeetingRow.id)
        )
        if first.first() is not None:
            return True
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.started_at > at)
            .values(started_at=at)
            .execution_options(synchronize_session=False)
        )
        return False

    async def upcoming_for(
        self, organiser_id: str, now: datetime, limit: int
    ) -> Sequence[MeetingRow]:
        """The organiser's meetings that have not ended, are not cancelled and still hold
        their details, soonest first."""
        rows = await self._session.scalars(
            select(MeetingRow)
            .where(
                MeetingRow.organiser_user_id == organiser_id,
                MeetingRow.ends_at > now,
                MeetingRow.status != "cancelled",
                MeetingRow.disposed_at.is_(None),
            )
            .order_by(MeetingRow.starts_at, MeetingRow.id)
            .limit(limit)
        )
        return list(rows)

    async def add_shared_file(
        self,
        meeting_id: str,
        drive_item_id: str,
        name: str,
        document_id: str | None,
        outcome: str,
    ) -> str:
        """Note a file shared in the meeting's chat (its name sealed) and what was done with
        it; its id."""
        shared_file_id = new_id()
        self._session.add(
            SharedFileRow(
                id=shared_file_id,
                meeting_id=meeting_id,
                drive_item_id=drive_item_id,
                name_enc=self._seal(name, "shared_files", "name", shared_file_id),
                document_id=document_id,
                outcome=outcome,
                posted_at=self._clock(),
            )
        )
        return shared_file_id

    async def set_safeguarding_hold(self, meeting_id: str, held: bool) -> None:
        (await self.get(meeting_id)).safeguarding_hold = held
        await self._session.flush()

    async def set_recording_outcome(self, meeting_id: str, permitted: bool) -> None:
        (await self.get(meeting_id)).recording_outcome = "permitted" if permitted else "refused"
        await self._session.flush()
