"""The meeting repository: writes meetings and their consent evidence, reads them back.

Personal fields are encrypted on the way in, bound to their table, column and row. Reads for
the gates (`facts`) touch no personal data at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.crypto import BlindIndex
from consent_store.overview import facts_without_presence
from consent_store.presence import MeetingPresence
from consent_store.records import (
    NewAttendee,
    NewConsentRequest,
    NewDecision,
    NewDocument,
    NewMeeting,
    NewReviewItem,
)
from consent_store.reference import new_reference
from consent_store.tables import (
    AttendeeRow,
    ConsentDecisionRow,
    ConsentRequestRow,
    DocumentRow,
    InboundEmailRow,
    MeetingRow,
    ReviewItemRow,
    SharedFileRow,
)
from domain.terms import (
    Decision,
    MeetingFacts,
    Participant,
    Topic,
)

Seal = Callable[[str | None, str, str, str], bytes | None]
"""Encrypts a personal value (None stays None) for a table, column and row id:
`UnitOfWork.seal`."""


def new_id() -> str:
    return uuid.uuid4().hex


class MeetingNotFound(LookupError):
    """No meeting has that id or reference."""


@dataclass(frozen=True)
class ReceiptDue:
    """What the receipt for one inbound email says, and to whom: the attendee it came from
    (their invited name and address are decrypted by the caller), the meeting's reference, the
    decisions recorded from it in topic order, whether it was late, and whether it was sent."""

    attendee: AttendeeRow
    reference: str
    decisions: tuple[tuple[Topic, Decision], ...]
    late: bool
    sent: bool


@dataclass(frozen=True)
class ReviewReceiptDue:
    """What the receipt for a reading staff confirmed says, and to whom: the chosen attendee
    (decrypted by the caller), the meeting's reference, the decisions recorded from the item
    (their conditions decrypted by the caller), whether the email was late, whether it was
    sent."""

    attendee: AttendeeRow
    reference: str
    decisions: tuple[ConsentDecisionRow, ...]
    late: bool
    sent: bool


class MeetingRepository:
    """Meetings, attendees, documents, consent requests, decisions and review items."""

    def __init__(
        self,
        session: AsyncSession,
        seal: Seal,
        blind_index: BlindIndex,
        clock: Callable[[], datetime],
    ):
        self._session = session
        self._seal = seal
        self._blind_index = blind_index
        self._clock = clock

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

    async def receipt_due(self, inbound_id: str) -> ReceiptDue | None:
        """The receipt for inbound email `inbound_id`, or None when it recorded nothing from
        an attendee."""
        inbound = await self._session.get(InboundEmailRow, inbound_id)
        if inbound is None or inbound.attendee_id is None or inbound.meeting_id is None:
            return None
        attendee = await self._session.get(AttendeeRow, inbound.attendee_id)
        meeting = await self._session.get(MeetingRow, inbound.meeting_id)
        if attendee is None or meeting is None:
            return None
        recorded = await self._session.execute(
            select(ConsentDecisionRow.topic, ConsentDecisionRow.decision).where(
                ConsentDecisionRow.attendee_id == inbound.attendee_id,
                ConsentDecisionRow.email_sha256 == inbound.email_sha256,
                ConsentDecisionRow.decided_by == "email",
            )
        )
        by_topic = {Topic(row.topic): Decision(row.decision) for row in recorded}
        return ReceiptDue(
            attendee=attendee,
            reference=meeting.reference,
            decisions=tuple((topic, by_topic[topic]) for topic in Topic if topic in by_topic),
            late=inbound.outcome == "late",
            sent=inbound.receipt_sent_at is not None,
        )

    async def review_receipt_due(self, item_id: str) -> ReviewReceiptDue | None:
        """The receipt for the reading staff confirmed from review item `item_id`, or None
        when nothing was recorded from it."""
        item = await self._session.get(ReviewItemRow, item_id)
        if item is None or item.meeting_id is None:
            return None
        rows = (
            await self._session.scalars(
                select(ConsentDecisionRow).where(ConsentDecisionRow.review_item_id == item_id)
            )
        ).all()
        if not rows:
            return None
        attendee = await self._session.get(AttendeeRow, rows[0].attendee_id)
        meeting = await self._session.get(MeetingRow, item.meeting_id)
        if attendee is None or meeting is None:
            return None
        order = list(Topic)
        return ReviewReceiptDue(
            attendee=attendee,
            reference=meeting.reference,
            decisions=tuple(sorted(rows, key=lambda row: order.index(Topic(row.topic)))),
            late=item.received_at >= (meeting.started_at or meeting.starts_at),
            sent=item.receipt_sent_at is not None,
        )

    async def mark_review_acknowledged(self, item_id: str, now: datetime) -> None:
        await self._session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == item_id, ReviewItemRow.acknowledged_at.is_(None))
            .values(acknowledged_at=now)
            .execution_options(synchronize_session=False)
        )

    async def mark_review_receipt_sent(self, item_id: str, now: datetime) -> None:
        await self._session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == item_id, ReviewItemRow.receipt_sent_at.is_(None))
            .values(receipt_sent_at=now)
            .execution_options(synchronize_session=False)
        )

    async def note_teams_recording(
        self, meeting_id: str, allowed: bool, attention_cleared: str
    ) -> bool:
        """Note Teams' recording setting as read back, clearing the attention mark
        `attention_cleared`; False when it was already noted (a run at the same time noted
        it), so that one change is audited and reported once."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.needs_attention == attention_cleared)
            .values(needs_attention=None)
            .execution_options(synchronize_session=False)
        )
        noted = await self._session.execute(
            update(MeetingRow)
            .where(
                MeetingRow.id == meeting_id,
                or_(
                    MeetingRow.teams_recording_allowed.is_(None),
                    MeetingRow.teams_recording_allowed != allowed,
                ),
            )
            .values(teams_recording_allowed=allowed)
            .execution_options(synchronize_session=False)
            .returning(MeetingRow.id)
        )
        return noted.first() is not None

    async def note_settings_confirmed(
        self, meeting_id: str, at: datetime, attention_cleared: str
    ) -> None:
        """Note that Graph read the meeting's settings back locked down (recording off) at
        `at`, clearing the attention mark `attention_cleared`."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.needs_attention == attention_cleared)
            .values(needs_attention=None)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id)
            .values(teams_settings_confirmed_at=at, teams_recording_allowed=False)
            .execution_options(synchronize_session=False)
        )

    async def mark_attention(self, meeting_id: str, attention: str) -> None:
        """Mark the meeting as needing staff attention for `attention`."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id)
            .values(needs_attention=attention)
            .execution_options(synchronize_session=False)
        )

    async def close_recording_for_good(self, meeting_id: str, at: datetime) -> bool:
        """Note that recording was found not permitted (or off in Teams) after the meeting
        started, so it stays off; whether this was the first such note."""
        closed = await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.recording_closed_at.is_(None))
            .values(recording_closed_at=at)
            .execution_options(synchronize_session=False)
            .returning(MeetingRow.id)
        )
        return closed.first() is not None

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

    async def in_watch(
        self, now: datetime, overrun: timedelta
    ) -> Sequence[tuple[str, datetime | None]]:
        """The meetings whose recording Teams may allow (read back as allowed, or not known:
        never read, or a switch on under way, `note_switching_on`), not cancelled and
        not more than `overrun` past their scheduled end, soonest start first (so that after a
        break those most likely under way are settled first), each with when it was last seen
        watched (`note_watched`; None if never)."""
        rows = await self._session.execute(
            select(MeetingRow.id, MeetingRow.watched_at)
            .where(
                MeetingRow.teams_recording_allowed.is_not(False),
                MeetingRow.status != "cancelled",
                MeetingRow.ends_at > now - overrun,
            )
            .order_by(MeetingRow.starts_at, MeetingRow.id)
        )
        return [(meeting_id, watched_at) for meeting_id, watched_at in rows]

    async def note_switching_on(self, meeting_id: str) -> None:
        """Note that Teams' recording setting is not known while it is being switched on, so
        that the meeting is watched even if the change lands but noting it fails."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id)
            .values(teams_recording_allowed=None)
            .execution_options(synchronize_session=False)
        )

    async def note_watched(self, meeting_ids: Collection[str], at: datetime) -> None:
        """Note that the meetings were watched up to `at`."""
        if meeting_ids:
            await self._session.execute(
                update(MeetingRow)
                .where(MeetingRow.id.in_(meeting_ids))
                .values(watched_at=at)
                .execution_options(synchronize_session=False)
            )

    async def note_sight_lost(self, meeting_id: str, at: datetime) -> bool:
        """Note that the bot lost sight of the meeting while it was under way; whether this
        was the first such note."""
        noted = await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.sight_lost_at.is_(None))
            .values(sight_lost_at=at)
            .execution_options(synchronize_session=False)
            .returning(MeetingRow.id)
        )
        return noted.first() is not None

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

    async def add_request(self, request: NewConsentRequest) -> str:
        request_id = new_id()
        self._session.add(
            ConsentRequestRow(
                id=request_id,
                meeting_id=request.meeting_id,
                attendee_id=request.attendee_id,
                message_id=request.message_id,
                template_version=request.template_version,
                text_sha256=request.text_sha256,
                topics=[topic.value for topic in request.topics],
                documents_covered=list(request.documents_covered),
                sent_at=request.sent_at,
                text_enc=self._seal(request.text, "consent_requests", "text", request_id),
            )
        )
        return request_id

    async def add_decision(self, decision: NewDecision, now: datetime) -> str:
        decision_id = new_id()
        table = "consent_decisions"
        self._session.add(
            ConsentDecisionRow(
                id=decision_id,
                meeting_id=decision.meeting_id,
                attendee_id=decision.attendee_id,
                topic=decision.topic.value,
                decision=decision.decision.value,
                received_at=decision.received_at,
                message_id=decision.message_id,
                sender_enc=self._seal(decision.sender, table, "sender", decision_id),
                sender_index=(
                    self._blind_index.of_email(decision.sender) if decision.sender else None
                ),
                auth_verdict=decision.auth.value,
                sender_matches=decision.sender_matches,
                phrase_enc=self._seal(decision.phrase, table, "phrase", decision_id),
                email_sha256=decision.email_sha256,
                request_id=decision.request_id,
                documents_covered=list(decision.documents_covered),
                decided_by=decision.decided_by,
                recorded_at=now,
                condition_enc=self._seal(decision.condition, table, "condition", decision_id),
                review_item_id=decision.review_item_id,
            )
        )
        return decision_id

    async def add_review_item(self, item: NewReviewItem) -> str:
        item_id = new_id()
        self._session.add(
            ReviewItemRow(
                id=item_id,
                meeting_id=item.meeting_id,
                message_id=item.message_id,
                sender_enc=self._seal(item.sender, "review_items", "sender", item_id),
                sender_index=self._blind_index.of_email(item.sender) if item.sender else None,
                received_at=item.received_at,
                reason=item.reason,
                text_enc=self._seal(item.text, "review_items", "text", item_id),
                status="open",
                attendee_id=item.attendee_id,
                auth_verdict=item.auth.value,
            )
        )
        return item_id

    async def meetings_by_message(self, message_ids: set[str]) -> dict[str, str]:
        """Consent requests' Message-IDs among `message_ids`, each with its meeting's id."""
        if not message_ids:
            return {}
        rows = await self._session.execute(
            select(ConsentRequestRow.message_id, ConsentRequestRow.meeting_id).where(
                ConsentRequestRow.message_id.in_(message_ids)
            )
        )
        return {message_id: meeting_id for message_id, meeting_id in rows}

    async def latest_requests(self, meeting_id: str) -> dict[str, ConsentRequestRow]:
        """The newest consent request to each attendee of the meeting, by attendee id."""
        latest: dict[str, ConsentRequestRow] = {}
        for row in await self._session.scalars(
            select(ConsentRequestRow)
            .where(ConsentRequestRow.meeting_id == meeting_id)
            .order_by(ConsentRequestRow.sent_at)
        ):
            latest[row.attendee_id] = row
        return latest

    def email_index(self, email: str) -> str:
        return self._blind_index.of_email(email)

    async def latest_request(self, attendee_id: str) -> ConsentRequestRow | None:
        """The newest consent request sent to this attendee: what they were last asked."""
        return await self._session.scalar(
            select(ConsentRequestRow)
            .where(ConsentRequestRow.attendee_id == attendee_id)
            .order_by(ConsentRequestRow.sent_at.desc())
            .limit(1)
        )

    async def set_safeguarding_hold(self, meeting_id: str, held: bool) -> None:
        (await self.get(meeting_id)).safeguarding_hold = held
        await self._session.flush()

    async def set_recording_outcome(self, meeting_id: str, permitted: bool) -> None:
        (await self.get(meeting_id)).recording_outcome = "permitted" if permitted else "refused"
        await self._session.flush()
