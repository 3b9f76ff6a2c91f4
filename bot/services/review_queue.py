"""The review queue: emails a person must read before they count for anything.

Staff read each open item and either confirm what it says (choosing the attendee and, per
topic, given, refused or withdrawn; topics left unanswered record nothing) or set it aside.
A confirmed reading becomes consent decisions with the email's own evidence: when it was
received, the tenant's authentication verdict, and whether it came from the chosen attendee's
invited address (compared by blind index). Staff cannot vouch for what the email cannot show,
so the gates treat an unauthenticated or mismatched "given" exactly as they would from intake.

A reply that agrees only on a condition ("yes as long as ...") can be confirmed only as refused
(or withdrawn), or as given with the condition written down: the condition is sealed with each
decision it goes with, repeated in the receipt, shown on the meeting page and given in subject
access. Staff honour it; the gates count the agreement as given.

An item is resolved once: the status changes only from "open", in the same transaction as the
decisions and the audit entry. The caller commits. What the sender is owed (an
acknowledgement, a receipt) is queued and sent by `review_follow_ups`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.intake.classify import classify_text
from bot.services.recording_checks import queue_reconcile
from bot.services.review_follow_ups import RECEIPT, RECEIPT_GRACE, receipt_job_key
from consent_store.audit import AuditEvent, DetailValue
from consent_store.legal_requests import LegalRequests
from consent_store.records import NewDecision
from consent_store.review_items import OPEN
from consent_store.stored import AttendeeRow, ReviewItemRow
from consent_store.unit_of_work import UnitOfWork
from domain.terms import AttendeeKind, AuthVerdict, Decision, Topic

CONFIRMED = "confirmed"
REJECTED = "rejected"
DEFAULT_LIMIT = 50
CONDITION_LIMIT = 500
CONDITIONAL_REASONS = frozenset({"condition", "yes with a qualification"})
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


LEGAL_REPLY = (
    "This email is a reply about a legal request: the service manager reads it on the"
    " request's page."
)


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
    legal_reference: str | None = None

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


def is_conditional(text: str | None) -> bool:
    """Whether the reply, read as the intake reads it, agrees only on a condition."""
    if not text:
        return False
    return any(
        reason.partition(": ")[0] in CONDITIONAL_REASONS
        for reason in classify_text(text).review_reasons
    )


def reading_refusal(
    conditional: bool, decisions: Mapping[Topic, Decision], condition: str | None
) -> str | None:
    """Why a reading cannot be confirmed as it stands, in plain words; None when it can. A
    conditional reply is confirmed only as refused or withdrawn, or as given with its
    condition written down; a condition goes only with an agreement."""
    given = Decision.GIVEN in decisions.values()
    if condition is not None and not given:
        return (
            "A condition goes with an agreement: choose Given for what they agreed to on that "
            "condition, or leave the condition empty."
        )
    if condition is not None and len(condition) > CONDITION_LIMIT:
        return f"Write the condition in {CONDITION_LIMIT} characters or fewer."
    if conditional and given and condition is None:
        return (
            "They agreed only on a condition. Record their answer as refused, or as given "
            "with their condition written down in the box for it."
        )
    return None


async def open_count(uow: UnitOfWork) -> int:
    return await uow.review_items.open_count()


async def open_items(uow: UnitOfWork, limit: int = DEFAULT_LIMIT) -> list[OpenItem]:
    """The oldest open items first, each with its matched meeting's attendees."""
    rows = await uow.review_items.open_with_meetings(limit)
    legal = await LegalRequests(uow).references_of(
        [item.legal_request_id for item, _ in rows if item.legal_request_id is not None]
    )
    meeting_ids = {item.meeting_id for item, _ in rows if item.meeting_id is not None}
    attendees_by_meeting = await uow.review_items.attendees_of(meeting_ids)
    asked = {
        attendee_id: tuple(Topic(topic) for topic in topics)
        for attendee_id, topics in (await uow.review_items.topics_last_asked(meeting_ids)).items()
    }
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
            legal_reference=legal.get(item.legal_request_id or ""),
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


def _same_address(item: ReviewItemRow, attendee: AttendeeRow) -> bool:
    return item.sender_index is not None and item.sender_index == attendee.email_index


async def _open_item(uow: UnitOfWork, item_id: str) -> ReviewItemRow:
    item = await uow.review_items.get(item_id)
    if item is None:
        raise ItemNotFound
    if item.status != OPEN:
        raise AlreadyResolved
    return item


async def _resolve(uow: UnitOfWork, item_id: str, status: str, staff_id: str) -> None:
    """Move the item from open to `status`; only one resolution can ever win."""
    if not await uow.review_items.resolve(item_id, status, staff_id, uow.now()):
        raise AlreadyResolved


async def confirm(
    uow: UnitOfWork,
    item_id: str,
    staff_id: str,
    attendee_id: str,
    decisions: Mapping[Topic, Decision],
    condition: str | None = None,
) -> str:
    """Record the staff member's reading of the item as decisions by the chosen attendee, with
    `condition` (written down by staff, sealed) on each agreement; returns the meeting's id. Its
    gates must be asked again once this commits, and the person is owed a receipt: both jobs
    are queued in the same transaction, so a crash after the commit skips neither."""
    item = await _open_item(uow, item_id)
    if item.legal_request_id is not None:
        raise ReviewRefused(LEGAL_REPLY)
    if item.meeting_id is None:
        raise ReviewRefused("This email matches no meeting, so it can only be set aside.")
    if not decisions:
        raise ReviewRefused("Choose an answer for at least one topic, or set the email aside.")
    attendee = await uow.review_items.attendee(attendee_id)
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
    text = uow.decrypt(item.text_enc, "review_items", "text", item.id)
    refusal = reading_refusal(is_conditional(text), decisions, condition)
    if refusal is not None:
        raise ReviewRefused(refusal)
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
                phrase=text,
                request_id=request.id if request is not None else None,
                documents_covered=(
                    tuple(request.documents_covered)
                    if request is not None and topic is Topic.DOCUMENTS
                    else ()
                ),
                condition=condition if decision is Decision.GIVEN else None,
                review_item_id=item.id,
            ),
            uow.now(),
        )
    detail: dict[str, DetailValue] = {
        "review_item": item.id,
        "authentication": auth.value,
        "sender_matches": sender_matches,
    }
    if condition is not None:
        detail["condition_written"] = True
    detail.update({topic.value: decision.value for topic, decision in decisions.items()})
    await queue_reconcile(uow, item.meeting_id, timedelta(0))
    await uow.jobs.schedule(
        receipt_job_key(item.id), RECEIPT, uow.now() + RECEIPT_GRACE, item.meeting_id
    )
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
    """Set the item aside: nothing is recorded from it. A reply about a legal request is the
    service manager's to read, on the request's page."""
    item = await _open_item(uow, item_id)
    if item.legal_request_id is not None:
        raise ReviewRefused(LEGAL_REPLY)
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
