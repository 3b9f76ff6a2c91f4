"""Taking in one consent reply: read it, match it, and record decisions or queue it for a person.

The digital policy accepts recording consent only "in the form of an email from all attendees
prior to the meeting", so:
- a reply is matched to its meeting by the reference token or by threading (In-Reply-To and
  References against the requests we sent); if the two disagree, a person decides;
- it is matched to an attendee only by the address that attendee was invited at; any other
  sender goes to review;
- only what the person was actually asked counts (their latest consent request), so the
  decision can show what they were told; with no request on record, a person decides;
- a reply that needs reading is queued; a refusal or withdrawal in it is still recorded at
  once, because recording it can only close a gate;
- replies received at or after the start are recorded as late: the gates never count them
  as consent, and staff see them;
- the authentication verdict is recorded with each decision; the gates never accept consent
  from an unauthenticated email.
Each email is recorded once, keyed by its Message-ID, however often it is delivered: the
unique key decides, so two bot instances racing on one email cannot both record it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from bot.intake.consent_email import classify_email
from bot.intake.verdict import ConsentReply, Unreadable
from bot.policy.terms import Decision, Topic
from consent_store.audit import AuditEvent
from consent_store.inbound import InboundRecord
from consent_store.records import NewDecision, NewReviewItem
from consent_store.repository import MeetingNotFound
from consent_store.unit_of_work import Store, UnitOfWork


class IntakeOutcome(StrEnum):
    RECORDED = "recorded"
    LATE = "late"
    REVIEW = "review"
    NOTHING_ASKED = "nothing_asked"
    AUTO_REPLY = "auto_reply"
    UNREADABLE = "unreadable"
    DUPLICATE = "duplicate"


class ReviewReason(StrEnum):
    """Why a person must read an email (shown to staff in plain words)."""

    NOT_UNDERSTOOD = "not_clearly_understood"
    NO_MEETING = "no_matching_meeting"
    CONFLICTING_MEETING = "reference_and_thread_disagree"
    UNKNOWN_SENDER = "sender_not_invited"
    SHARED_ADDRESS = "address_shared_by_attendees"
    NO_REQUEST = "no_request_sent"


@dataclass(frozen=True)
class InboundEmail:
    """An email as it came from the consent mailbox."""

    raw: bytes
    received_at: datetime
    mailbox_message_id: str | None = None


@dataclass(frozen=True)
class ReceiptAddress:
    """Where the receipt for recorded decisions goes: the attendee's invited address."""

    name: str
    email: str
    reference: str


@dataclass(frozen=True)
class IntakeResult:
    """What became of an email. `decisions` are those recorded now, for the receipt."""

    outcome: IntakeOutcome
    inbound_id: str | None = None
    meeting_id: str | None = None
    attendee_id: str | None = None
    decisions: tuple[tuple[Topic, Decision], ...] = ()
    reason: str | None = None
    review_item_id: str | None = None
    topics_asked: tuple[Topic, ...] = field(default=())
    receipt_to: ReceiptAddress | None = None


@dataclass(frozen=True)
class _Plan:
    """What to record for one email, worked out while only reading."""

    result: IntakeResult
    decisions: tuple[NewDecision, ...] = ()
    review: NewReviewItem | None = None
    audits: tuple[AuditEvent, ...] = ()


def _dedupe_key(reply: ConsentReply | Unreadable, digest: str) -> str:
    if isinstance(reply, ConsentReply) and reply.message_id:
        return reply.message_id[:998]
    return f"sha256:{digest}"


async def take_in(store: Store, email: InboundEmail) -> IntakeResult:
    """Process one email; safe to call twice for the same email.

    Matching reads only (so it never waits for the single SQLite writer); the write that
    follows records the email, its decisions or review item and their audit entries at once.
    """
    digest = hashlib.sha256(email.raw).hexdigest()
    reply = classify_email(email.raw)
    async with store.reading() as uow:
        plan = await _plan(uow, email, reply, digest)
    async with store.unit_of_work() as uow:
        try:
            inbound_id = await uow.inbound.add(
                InboundRecord(
                    dedupe_key=_dedupe_key(reply, digest),
                    mailbox_message_id=email.mailbox_message_id,
                    received_at=email.received_at,
                    outcome=plan.result.outcome.value,
                    reason=plan.result.reason,
                    meeting_id=plan.result.meeting_id,
                    attendee_id=plan.result.attendee_id,
                    email_sha256=digest,
                    size_bytes=len(email.raw),
                ),
                uow.now(),
            )
            for decision in plan.decisions:
                await uow.meetings.add_decision(decision, uow.now())
            review_item_id = None
            if plan.review is not None:
                review_item_id = await uow.meetings.add_review_item(plan.review)
                await uow.audit(
                    AuditEvent(
                        "review.queued",
                        actor="intake",
                        meeting_id=plan.review.meeting_id,
                        subject_id=plan.review.attendee_id or review_item_id,
                        detail={"reason": plan.review.reason},
                    )
                )
            for event in plan.audits:
                await uow.audit(event)
            await uow.commit()
        except IntegrityError:
            return IntakeResult(IntakeOutcome.DUPLICATE)
    return replace(plan.result, inbound_id=inbound_id, review_item_id=review_item_id)


async def _plan(
    uow: UnitOfWork, email: InboundEmail, reply: ConsentReply | Unreadable, digest: str
) -> _Plan:
    if isinstance(reply, Unreadable):
        unreadable = AuditEvent("intake.unreadable", detail={"size_bytes": len(email.raw)})
        return _Plan(
            IntakeResult(IntakeOutcome.UNREADABLE, reason=reply.reason[:64]), audits=(unreadable,)
        )
    if reply.auto_reply:
        return _Plan(IntakeResult(IntakeOutcome.AUTO_REPLY))

    meeting_id, problem = await _match_meeting(uow, reply)
    if meeting_id is None:
        return _review(email, reply, problem or ReviewReason.NO_MEETING)
    attendees = await uow.meetings.attendees_with_email(meeting_id, reply.sender or "")
    if len(attendees) != 1:
        reason = ReviewReason.SHARED_ADDRESS if attendees else ReviewReason.UNKNOWN_SENDER
        return _review(email, reply, reason, meeting_id)
    attendee = attendees[0]
    request = await uow.meetings.latest_request(attendee.id)
    if request is None:
        return _review(email, reply, ReviewReason.NO_REQUEST, meeting_id, attendee.id)

    asked = tuple(Topic(topic) for topic in request.topics)
    findings = {
        topic: finding
        for topic, finding in reply.classification.findings.items()
        if topic in asked
        and (not reply.classification.needs_review or finding.decision is not Decision.GIVEN)
    }
    meeting = await uow.meetings.get(meeting_id)
    late = email.received_at >= meeting.starts_at
    name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
    invited_at = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id)
    receipt_to = (
        ReceiptAddress(name, invited_at, meeting.reference) if name and invited_at else None
    )
    decisions = tuple(
        NewDecision(
            meeting_id=meeting_id,
            attendee_id=attendee.id,
            topic=topic,
            decision=finding.decision,
            received_at=email.received_at,
            auth=reply.authenticated,
            sender_matches=True,
            decided_by="email",
            sender=reply.sender,
            message_id=reply.message_id,
            phrase=finding.evidence,
            email_sha256=digest,
            request_id=request.id,
            documents_covered=tuple(request.documents_covered) if topic is Topic.DOCUMENTS else (),
        )
        for topic, finding in findings.items()
    )
    audits = tuple(
        AuditEvent(
            "consent.recorded",
            actor="intake",
            meeting_id=meeting_id,
            subject_id=attendee.id,
            detail={
                "topic": d.topic.value,
                "decision": d.decision.value,
                "late": late,
                "authentication": reply.authenticated.value,
            },
        )
        for d in decisions
    )
    recorded = tuple((d.topic, d.decision) for d in decisions)
    if reply.classification.needs_review:
        queued = _review(email, reply, ReviewReason.NOT_UNDERSTOOD, meeting_id, attendee.id)
        return replace(
            queued,
            result=replace(
                queued.result, decisions=recorded, topics_asked=asked, receipt_to=receipt_to
            ),
            decisions=decisions,
            audits=audits,
        )
    if not decisions:
        return _Plan(
            IntakeResult(
                IntakeOutcome.NOTHING_ASKED, meeting_id=meeting_id, attendee_id=attendee.id
            )
        )
    return _Plan(
        IntakeResult(
            IntakeOutcome.LATE if late else IntakeOutcome.RECORDED,
            meeting_id=meeting_id,
            attendee_id=attendee.id,
            decisions=recorded,
            topics_asked=asked,
            receipt_to=receipt_to,
        ),
        decisions=decisions,
        audits=audits,
    )


async def _match_meeting(
    uow: UnitOfWork, reply: ConsentReply
) -> tuple[str | None, ReviewReason | None]:
    by_reference = None
    if reply.reference:
        try:
            by_reference = (await uow.meetings.by_reference(reply.reference)).id
        except MeetingNotFound:
            by_reference = None
    threads = tuple(i for i in (reply.in_reply_to, *reply.references) if i)
    by_thread = await uow.meetings.meetings_for_messages(threads)
    if len(by_thread) > 1 or (by_reference and by_thread and by_thread != {by_reference}):
        return None, ReviewReason.CONFLICTING_MEETING
    if by_reference:
        return by_reference, None
    return (next(iter(by_thread)), None) if by_thread else (None, ReviewReason.NO_MEETING)


def _review(
    email: InboundEmail,
    reply: ConsentReply,
    reason: ReviewReason,
    meeting_id: str | None = None,
    attendee_id: str | None = None,
) -> _Plan:
    return _Plan(
        IntakeResult(
            IntakeOutcome.REVIEW,
            meeting_id=meeting_id,
            attendee_id=attendee_id,
            reason=reason.value,
        ),
        review=NewReviewItem(
            received_at=email.received_at,
            reason=reason.value,
            meeting_id=meeting_id,
            attendee_id=attendee_id,
            message_id=reply.message_id,
            sender=reply.sender,
            text=reply.own_words,
            auth=reply.authenticated,
        ),
    )
