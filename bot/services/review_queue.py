"""The review queue: emails a person must read before they count for anything.

Staff read each open item and either confirm what it says (choosing the attendee and, per
topic, given, refused or withdrawn; topics left unanswered record nothing) or set it aside.
A confirmed reading becomes consent decisions with the email's own evidence: when it was
received, the tenant's authentication verdict, and whether it came from the chosen attendee's
invited address (compared by blind index). Staff cannot vouch for what the email cannot show,
so the gates treat an unauthenticated or mismatched "given" exactly as they would from intake.

An item is resolved once: the status changes only from "open", in the same transaction as the
decisions and the audit entry. The caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult

from bot.policy.terms import AttendeeKind, AuthVerdict, Decision, Topic
from bot.services.recording_enforcement import queue_reconcile
from consent_store.audit import AuditEvent, DetailValue
from consent_store.records import NewDecision
from consent_store.tables import AttendeeRow, ConsentRequestRow, MeetingRow, ReviewItemRow
from consent_store.unit_of_work import UnitOfWork

OPEN = "open"
CONFIRMED = "confirmed"
REJECTED = "rejected"
DEFAULT_LIMIT = 50
TOPIC_NAMES = {
    Topic.RECORDING: "recording the meeting",
    Topic.DOCUMENTS: "sharing documents",
    Topic.CONTRIBUTION: "staff contributing to discussions",
    Topic.LIAISON: "staff liaising with the professionals named",
}


class RejectReason(StrEnum):
    """Why staff set an email aside without recording anything."""

    NOT_ABOUT_CONSENT = "not_about_consent"
    CANNOT_TELL = "cannot_tell"


class ReviewRefused(Exception):
    """The review action cannot be done; the message says why in plain words."""


class ItemNotFound(ReviewRefused):
    def __init__(self) -> None:
        super().__init__("That email is not in the review queue.")


class AlreadyResolved(ReviewRefused):
    def __init__(self) -> None:
        super().__init__(
            "Someone has already dealt with that email, so nothing was changed. "
            "The queue below is up to date."
        )


@dataclass(frozen=True)
class AttendeeChoice:
    """An attendee of the matched meeting, as staff choose between them."""

    id: str
    name: str | None
    kind: AttendeeKind
    sent_from_their_address: bool
    topics_asked: tuple[Topic, ...] = ()


@dataclass(frozen=True)
class OpenItem:
    """An open item with its personal data decrypted, for the signed-in staff member only."""

    id: str
    received_at: datetime
    reason: str
    sender: str | None
    text: str | None
    auth: AuthVerdict
    meeting_reference: str | None
    suggested_attendee_id: str | None
    attendees: tuple[AttendeeChoice, ...]
    meeting_title: str | None = None
    meeting_starts_at: datetime | None = None

    @property
    def can_confirm(self) -> bool:
        return bool(self.attendees)

    @property
    def topics_to_ask(self) -> tuple[Topic, ...]:
        """The topics the suggested attendee was asked about; with no suggestion, those any
        attendee was asked about."""
        chosen = [a for a in self.attendees if a.id == self.suggested_attendee_id]
        asked = {t for a in (chosen or self.attendees) for t in a.topics_asked}
        return tuple(topic for topic in Topic if topic in asked)


@dataclass(frozen=True)
class StaffReceipt:
    """The receipt owed to the person whose email staff read: as for a reply read by the bot."""

    name: str
    address: str
    reference: str
    decisions: tuple[tuple[Topic, Decision], ...]
    late: bool


async def open_count(uow: UnitOfWork) -> int:
    count = await uow.session.scalar(
        select(func.count()).select_from(ReviewItemRow).where(ReviewItemRow.status == OPEN)
    )
    return int(count or 0)


async def open_items(uow: UnitOfWork, limit: int = DEFAULT_LIMIT) -> list[OpenItem]:
    """The oldest open items first, each with its matched meeting's attendees."""
    rows = (
        await uow.session.execute(
            select(ReviewItemRow, MeetingRow)
            .outerjoin(MeetingRow, ReviewItemRow.meeting_id == MeetingRow.id)
            .where(ReviewItemRow.status == OPEN)
            .order_by(ReviewItemRow.received_at, ReviewItemRow.id)
            .limit(limit)
        )
    ).all()
    meeting_ids = {item.meeting_id for item, _ in rows if item.meeting_id is not None}
    attendees_by_meeting: dict[str, list[AttendeeRow]] = defaultdict(list)
    if meeting_ids:
        for attendee in await uow.session.scalars(
            select(AttendeeRow)
            .where(AttendeeRow.meeting_id.in_(meeting_ids))
            .order_by(AttendeeRow.meeting_id, AttendeeRow.position)
        ):
            attendees_by_meeting[attendee.meeting_id].append(attendee)
    asked = await _topics_asked(uow, meeting_ids)
    return [
        OpenItem(
            id=item.id,
            received_at=item.received_at,
            reason=item.reason,
            sender=uow.decrypt(item.sender_enc, "review_items", "sender", item.id),
            text=uow.decrypt(item.text_enc, "review_items", "text", item.id),
            auth=AuthVerdict(item.auth_verdict),
            meeting_reference=meeting.reference if meeting else None,
            meeting_title=(
                uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id) if meeting else None
            ),
            meeting_starts_at=meeting.starts_at if meeting else None,
            suggested_attendee_id=item.attendee_id,
            attendees=tuple(
                AttendeeChoice(
                    id=attendee.id,
                    name=uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id),
                    kind=AttendeeKind(attendee.kind),
                    sent_from_their_address=_same_address(item, attendee),
                    topics_asked=asked.get(attendee.id, ()),
                )
                for attendee in attendees_by_meeting.get(item.meeting_id or "", ())
            ),
        )
        for item, meeting in rows
    ]


async def _topics_asked(uow: UnitOfWork, meeting_ids: set[str]) -> dict[str, tuple[Topic, ...]]:
    """Each attendee's topics in the latest consent request sent to them."""
    if not meeting_ids:
        return {}
    latest: dict[str, tuple[datetime, tuple[Topic, ...]]] = {}
    for request in await uow.session.scalars(
        select(ConsentRequestRow).where(ConsentRequestRow.meeting_id.in_(meeting_ids))
    ):
        seen = latest.get(request.attendee_id)
        if seen is None or request.sent_at > seen[0]:
            latest[request.attendee_id] = (
                request.sent_at,
                tuple(Topic(topic) for topic in request.topics),
            )
    return {attendee_id: topics for attendee_id, (_, topics) in latest.items()}


def _same_address(item: ReviewItemRow, attendee: AttendeeRow) -> bool:
    return item.sender_index is not None and item.sender_index == attendee.email_index


async def _open_item(uow: UnitOfWork, item_id: str) -> ReviewItemRow:
    item = await uow.session.get(ReviewItemRow, item_id)
    if item is None:
        raise ItemNotFound
    if item.status != OPEN:
        raise AlreadyResolved
    return item


async def _resolve(uow: UnitOfWork, item_id: str, status: str, staff_id: str) -> None:
    """Move the item from open to `status`; only one resolution can ever win."""
    result = await uow.session.execute(
        update(ReviewItemRow)
        .where(ReviewItemRow.id == item_id, ReviewItemRow.status == OPEN)
        .values(status=status, resolved_by=staff_id, resolved_at=uow.now())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        raise AlreadyResolved


async def confirm(
    uow: UnitOfWork,
    item_id: str,
    staff_id: str,
    attendee_id: str,
    decisions: Mapping[Topic, Decision],
) -> str:
    """Record the staff member's reading of the item as decisions by the chosen attendee;
    returns the meeting's id (its gates must be asked again once this commits: the meeting's
    reconcile job is queued in the same transaction, so a crash before that cannot skip it)."""
    item = await _open_item(uow, item_id)
    if item.meeting_id is None:
        raise ReviewRefused("This email matches no meeting, so it can only be set aside.")
    if not decisions:
        raise ReviewRefused("Choose an answer for at least one topic, or set the email aside.")
    attendee = await uow.session.get(AttendeeRow, attendee_id)
    if attendee is None or attendee.meeting_id != item.meeting_id:
        raise ReviewRefused("Choose one of the meeting's attendees.")
    request = await uow.meetings.latest_request(attendee.id)
    not_asked = [t for t in decisions if request is None or t.value not in request.topics]
    if not_asked:
        raise ReviewRefused(
            "That person was not asked about "
            + " or ".join(TOPIC_NAMES[t] for t in not_asked)
            + ", so no answer about it can be recorded from them."
        )
    await _resolve(uow, item.id, CONFIRMED, staff_id)
    sender_matches = _same_address(item, attendee)
    auth = AuthVerdict(item.auth_verdict)
    for topic, decision in decisions.items():
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=item.meeting_id,
                attendee_id=attendee.id,
                topic=topic,
                decision=decision,
                received_at=item.received_at,
                auth=auth,
                sender_matches=sender_matches,
                decided_by=f"staff:{staff_id}",
                sender=uow.decrypt(item.sender_enc, "review_items", "sender", item.id),
                message_id=item.message_id,
                phrase=uow.decrypt(item.text_enc, "review_items", "text", item.id),
                request_id=request.id if request is not None else None,
                documents_covered=(
                    tuple(request.documents_covered)
                    if request is not None and topic is Topic.DOCUMENTS
                    else ()
                ),
            ),
            uow.now(),
        )
    detail: dict[str, DetailValue] = {
        "review_item": item.id,
        "authentication": auth.value,
        "sender_matches": sender_matches,
    }
    detail.update({topic.value: decision.value for topic, decision in decisions.items()})
    await queue_reconcile(uow, item.meeting_id, timedelta(0))
    await uow.audit(
        AuditEvent(
            "review.confirmed",
            actor=staff_id,
            meeting_id=item.meeting_id,
            subject_id=attendee.id,
            detail=detail,
        )
    )
    return item.meeting_id


async def reject(uow: UnitOfWork, item_id: str, staff_id: str, reason: RejectReason) -> None:
    """Set the item aside: nothing is recorded from it."""
    item = await _open_item(uow, item_id)
    await _resolve(uow, item.id, REJECTED, staff_id)
    await uow.audit(
        AuditEvent(
            "review.rejected",
            actor=staff_id,
            meeting_id=item.meeting_id,
            subject_id=item.attendee_id or item.id,
            detail={"review_item": item.id, "reason": reason.value},
        )
    )


async def receipt_for(
    uow: UnitOfWork, item_id: str, attendee_id: str, decisions: Mapping[Topic, Decision]
) -> StaffReceipt | None:
    """The receipt for a reading just confirmed, to the chosen attendee's invited address;
    None when their name or address is no longer kept."""
    item = await uow.session.get(ReviewItemRow, item_id)
    attendee = await uow.session.get(AttendeeRow, attendee_id)
    if item is None or attendee is None:
        return None
    meeting = await uow.session.get(MeetingRow, attendee.meeting_id)
    name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
    address = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id)
    if meeting is None or not name or not address:
        return None
    started = meeting.started_at or meeting.starts_at
    return StaffReceipt(
        name=name,
        address=address,
        reference=meeting.reference,
        decisions=tuple((t, decisions[t]) for t in Topic if t in decisions),
        late=item.received_at >= started,
    )
