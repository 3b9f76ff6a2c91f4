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
decisions and the audit entry. The caller commits.

What the sender is owed is written as jobs in the same transaction as the item (an outbox, as
`consent_intake.queue_follow_ups` does for replies read by the bot), so a crash after the
commit loses neither: the acknowledgement that a member of staff will read the email (queued
with the item, sent by the job runner), and the receipt for a confirmed reading (queued with the
decisions; the page that confirmed it sends it at once and marks the job done, and whatever it
did not finish a job runner takes on after `RECEIPT_GRACE`). Each is sent at least once, and
not again once it is noted as sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.config import ServiceProfile
from bot.intake.classify import classify_text
from bot.mail.receipt import render_receipt
from bot.mail.review_acknowledgement import render_acknowledgement
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import MailSender, OutgoingEmail
from bot.scheduler.runner import Handler
from bot.services.recording_checks import queue_reconcile
from consent_store.audit import AuditEvent, DetailValue
from consent_store.jobs import ClaimedJob
from consent_store.legal_requests import LegalRequests
from consent_store.records import NewDecision
from consent_store.review_items import OPEN
from consent_store.stored import AttendeeRow, ReviewItemRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AttendeeKind, AuthVerdict, Decision, Topic

log = logging.getLogger(__name__)

CONFIRMED = "confirmed"
REJECTED = "rejected"
DEFAULT_LIMIT = 50
ACKNOWLEDGEMENT = "review_acknowledgement"
RECEIPT = "review_receipt"
RECEIPT_GRACE = timedelta(minutes=1)
"""How long the page that confirmed a reading has to send its receipt itself before any
instance's job runner takes it on."""
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


def acknowledgement_job_key(item_id: str) -> str:
    return f"review-ack:{item_id}"


def receipt_job_key(item_id: str) -> str:
    return f"review-receipt:{item_id}"


async def queue_acknowledgement(uow: UnitOfWork, item_id: str, meeting_id: str | None) -> None:
    """In the transaction that adds review item `item_id`: the job that tells its sender a
    member of staff will read it."""
    await uow.jobs.schedule(
        acknowledgement_job_key(item_id), ACKNOWLEDGEMENT, uow.now(), meeting_id
    )


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


class ReviewFollowUps:
    """Sends what the review queue owes a sender: the acknowledgement and the receipt."""

    def __init__(self, store: Store, mailbox: MailSender, service: ServiceProfile) -> None:
        self._store = store
        self._mailbox = mailbox
        self._service = service

    def handlers(self) -> Mapping[str, Handler]:
        """The review queue's jobs, for the bot's job runner."""
        return {ACKNOWLEDGEMENT: self._acknowledge, RECEIPT: self._receipt_job}

    async def send_receipt_now(self, item_id: str) -> bool:
        """Send the receipt for the reading just confirmed from `item_id` and mark its job
        done; whether it went (if not, the job sends it after `RECEIPT_GRACE`)."""
        try:
            sent = await self.send_receipt(item_id)
        except GRAPH_FAILURES as error:
            log.warning(
                "receipt after a review not sent yet, left to the job: %s", type(error).__name__
            )
            return False
        async with self._store.unit_of_work() as uow:
            await uow.jobs.complete_unclaimed([receipt_job_key(item_id)], uow.now())
            await uow.commit()
        return sent

    async def send_receipt(self, item_id: str) -> bool:
        """Send the receipt for the reading confirmed from `item_id` to the chosen attendee's
        invited address, unless it was sent already; whether it is now sent (False when there
        is nothing to send or their name or address is no longer kept)."""
        async with self._store.reading() as uow:
            due = await uow.meetings.review_receipt_due(item_id)
            if due is None:
                return False
            if due.sent:
                return True
            attendee = due.attendee
            name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
            address = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id)
            conditions = {
                Topic(row.topic): condition
                for row in due.decisions
                if (
                    condition := uow.decrypt(
                        row.condition_enc, "consent_decisions", "condition", row.id
                    )
                )
            }
        if not name or not address:
            log.warning("receipt after a review not sent: the person's address is not kept")
            return False
        receipt = render_receipt(
            name=name,
            reference=due.reference,
            decisions=tuple((Topic(row.topic), Decision(row.decision)) for row in due.decisions),
            late=due.late,
            service=self._service,
            conditions=conditions,
        )
        await self._mailbox.send(
            OutgoingEmail(to=address, subject=receipt.subject, text=receipt.text, html=receipt.html)
        )
        async with self._store.unit_of_work() as uow:
            await uow.meetings.mark_review_receipt_sent(item_id, uow.now())
            await uow.commit()
        return True

    async def _receipt_job(self, job: ClaimedJob) -> None:
        await self.send_receipt(job.key.removeprefix(receipt_job_key("")))

    async def _acknowledge(self, job: ClaimedJob) -> None:
        """Tell the sender of the item the job names that a member of staff will read it: at
        the address the matched attendee was invited at, or else at the address it came
        from if that passed the sender check; unless it was acknowledged already."""
        item_id = job.key.removeprefix(acknowledgement_job_key(""))
        async with self._store.reading() as uow:
            item = await uow.review_items.get(item_id)
            if item is None or item.acknowledged_at is not None:
                return
            to = await _acknowledgement_to(uow, item)
        if to is None:
            log.info("review item not acknowledged: no invited or verified address to write to")
            return
        name, address, reference = to
        rendered = render_acknowledgement(name=name, reference=reference, service=self._service)
        await self._mailbox.send(
            OutgoingEmail(
                to=address, subject=rendered.subject, text=rendered.text, html=rendered.html
            )
        )
        async with self._store.unit_of_work() as uow:
            await uow.meetings.mark_review_acknowledged(item_id, uow.now())
            await uow.commit()


async def _acknowledgement_to(
    uow: UnitOfWork, item: ReviewItemRow
) -> tuple[str | None, str, str | None] | None:
    """Name, address and meeting reference for the acknowledgement of `item`, or None."""
    attendee = await uow.review_items.attendee(item.attendee_id) if item.attendee_id else None
    meeting = await uow.review_items.meeting(item.meeting_id) if item.meeting_id else None
    if attendee is not None and meeting is not None:
        address = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id)
        if address:
            name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
            return name, address, meeting.reference
    sender = uow.decrypt(item.sender_enc, "review_items", "sender", item.id)
    if sender and AuthVerdict(item.auth_verdict) is AuthVerdict.PASS:
        return None, sender, None
    return None
