"""Receipts: what the receipt for an inbound email, or for a reading staff confirmed from a
review item, says and to whom, and noting that it was acknowledged and sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from consent_store.repository import RepositoryPart
from consent_store.tables import (
    AttendeeRow,
    ConsentDecisionRow,
    InboundEmailRow,
    MeetingRow,
    ReviewItemRow,
)
from domain.terms import Decision, Topic


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


class Receipts(RepositoryPart):
    """The receipts due for inbound emails and confirmed readings."""

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
