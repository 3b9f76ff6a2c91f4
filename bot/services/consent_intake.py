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
- replies received at or after the real start (`meeting_start`: the scheduled start, or an
  earlier start seen in Teams) are recorded as late: the gates never count them as consent,
  and staff see them;
- the authentication verdict is recorded with each decision; the gates never accept consent
  from an unauthenticated email;
- a reply to a request for permission to send information for legal reasons (matched by its
  `LR-` reference or by threading, and by nothing about a meeting) is read with the careful
  rule of `bot.policy.legal_permission`: a clear yes or no moves the legal request on (a yes
  queues the extract's job in the same transaction, and either queues the receipt's job, which
  the reader sends at once, as it does the consent receipt), anything unclear waits in the
  review queue for the manager, linked to the request.
Decisions are recorded with their follow-ups (the gates asked again, the receipt) as jobs in
the same transaction (`queue_follow_ups`). Each email is recorded once, however often it is
delivered or read: the unique key decides, so two bot instances racing on one email cannot both
record it. The key is the Message-ID with the
sender and the authentication verdict, and the mailbox item unless the sender was authenticated
(`consent_store.inbound.email_key`): the sender chooses a Message-ID, so a forged email
carrying a real reply's Message-ID is taken in beside it and can never hide it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.intake.consent_email import classify_email
from bot.intake.verdict import ConsentReply, Unreadable
from bot.policy.legal_permission import RequestStatus, Step, read_answer, step_for
from bot.policy.legal_permission import ReviewReason as LegalReviewReason
from bot.services.legal_requests import RequestMovedOn, apply_answer
from bot.services.recording_checks import queue_reconcile
from bot.services.review_follow_ups import queue_acknowledgement
from consent_store.audit import AuditEvent
from consent_store.errors import AlreadyStored
from consent_store.inbound import InboundRecord, email_key
from consent_store.jobs import NewJob
from consent_store.legal_requests import LegalRequests, NewAnswer
from consent_store.records import NewDecision, NewReviewItem
from consent_store.repository import MeetingNotFound
from consent_store.stored import AttendeeRow, ConsentRequestRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AuthVerdict, Decision, Topic, real_start


class IntakeOutcome(StrEnum):
    RECORDED = "recorded"
    LATE = "late"
    REVIEW = "review"
    NOTHING_ASKED = "nothing_asked"
    AUTO_REPLY = "auto_reply"
    UNREADABLE = "unreadable"
    DUPLICATE = "duplicate"
    LEGAL_ANSWER = "legal_answer"


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
    receipt_to: ReceiptAddress | None = None
    legal_receipt_job: str | None = None
    """The job sending the receipt for an answer to a legal request, queued with the answer."""


@dataclass(frozen=True)
class _LegalAnswer:
    """An answer to a legal request's request for permission, to record as its step says."""

    request_id: str
    reference: str
    attendee_id: str
    status: RequestStatus
    step: Step
    answer: NewAnswer


@dataclass(frozen=True)
class _Plan:
    """What to record for one email, worked out while only reading. `legal_request` names the
    legal request a review item is a reply about."""

    result: IntakeResult
    decisions: tuple[NewDecision, ...] = ()
    review: NewReviewItem | None = None
    audits: tuple[AuditEvent, ...] = ()
    legal: _LegalAnswer | None = None
    legal_request: str | None = None


def _dedupe_key(uow: UnitOfWork, prepared: _Prepared) -> str:
    reply = prepared.reply
    item = prepared.email.mailbox_message_id or f"sha256:{prepared.digest}"
    if isinstance(reply, Unreadable):
        return email_key(None, None, AuthVerdict.NONE, item)
    sender_index = uow.meetings.email_index(reply.sender) if reply.sender else None
    return email_key(reply.message_id, sender_index, reply.authenticated, item)


async def take_in(store: Store, email: InboundEmail) -> IntakeResult:
    """Process one email; safe to call twice for the same email."""
    (result,) = await take_in_all(store, [email])
    return result


async def take_in_all(store: Store, emails: Sequence[InboundEmail]) -> list[IntakeResult]:
    """Process several emails: plan each while only reading (never waiting for the single
    SQLite writer), then record them all in one write, so the database sees one multi-row
    insert per table. If that write meets an email already recorded, they are recorded one
    at a time instead, so each duplicate is found and the rest are kept."""
    read = [(email, classify_email(email.raw)) for email in emails]
    prepared: list[_Prepared] = []
    async with store.reading() as uow:
        lookups = await _Lookups.load(uow, [reply for _, reply in read])
        for email, reply in read:
            digest = hashlib.sha256(email.raw).hexdigest()
            plan = await _plan(uow, lookups, email, reply, digest)
            prepared.append(_Prepared(email, reply, digest, plan))
    try:
        return await _record(store, prepared)
    except AlreadyStored:
        if len(prepared) == 1:
            return [IntakeResult(IntakeOutcome.DUPLICATE)]
    results = []
    for one in prepared:
        try:
            results += await _record(store, [one])
        except AlreadyStored:
            results.append(IntakeResult(IntakeOutcome.DUPLICATE))
    return results


@dataclass(frozen=True)
class _Prepared:
    email: InboundEmail
    reply: ConsentReply | Unreadable
    digest: str
    plan: _Plan


async def _record(store: Store, prepared: Sequence[_Prepared]) -> list[IntakeResult]:
    """Record the planned emails in one transaction (`AlreadyStored` if any was recorded)."""
    async with store.unit_of_work() as uow:
        results = [await _apply(uow, one) for one in prepared]
        await queue_follow_ups(uow, results)
        await uow.commit()
    return results


async def _apply(uow: UnitOfWork, prepared: _Prepared) -> IntakeResult:
    email, plan = prepared.email, prepared.plan
    if plan.legal is not None:
        plan = await _apply_legal(uow, prepared, plan.legal)
    inbound_id = await uow.inbound.add(
        InboundRecord(
            dedupe_key=_dedupe_key(uow, prepared),
            mailbox_message_id=email.mailbox_message_id,
            received_at=email.received_at,
            outcome=plan.result.outcome.value,
            reason=plan.result.reason,
            meeting_id=plan.result.meeting_id,
            attendee_id=plan.result.attendee_id,
            email_sha256=prepared.digest,
            size_bytes=len(email.raw),
        ),
        uow.now(),
    )
    for decision in plan.decisions:
        await uow.meetings.add_decision(decision, uow.now())
    review_item_id = None
    if plan.review is not None:
        review_item_id = await uow.meetings.add_review_item(plan.review)
        if plan.legal_request is not None:
            await LegalRequests(uow).link_review_item(review_item_id, plan.legal_request)
        await queue_acknowledgement(uow, review_item_id, plan.review.meeting_id)
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
    return replace(plan.result, inbound_id=inbound_id, review_item_id=review_item_id)


async def _apply_legal(uow: UnitOfWork, prepared: _Prepared, legal: _LegalAnswer) -> _Plan:
    """Move the legal request on as the answer says, queueing the extract if it is now to be
    sent; if the request moved on since the email was read, a person reads it instead."""
    try:
        applied = await apply_answer(
            uow,
            legal.request_id,
            legal.reference,
            legal.attendee_id,
            legal.status,
            legal.step,
            legal.answer,
            actor="intake",
            receipt_grace=FOLLOW_UP_GRACE,
        )
    except RequestMovedOn:
        assert isinstance(prepared.reply, ConsentReply)
        return _legal_review(
            prepared.email,
            prepared.reply,
            LegalReviewReason.NOT_AWAITING,
            legal.request_id,
            legal.attendee_id if legal.answer.sender_matches else None,
        )
    plan = prepared.plan
    return replace(plan, result=replace(plan.result, legal_receipt_job=applied.receipt_job))


RECEIPT = "consent_receipt"
FOLLOW_UP_GRACE = timedelta(minutes=1)
"""How long the reader that recorded decisions has to carry out their follow-ups itself
before any instance's job runner takes them on."""


def receipt_job_key(inbound_id: str) -> str:
    """The key of the job that sends the receipt for the decisions an email gave."""
    return f"receipt:{inbound_id}"


async def queue_follow_ups(uow: UnitOfWork, results: Sequence[IntakeResult]) -> None:
    """The outbox: in the transaction that records decisions, what must follow them: each
    meeting's gates asked again (its reconcile job), and a receipt for each email that gave
    decisions. The reader does them at once and marks them done; what it did not finish a job
    runner takes on after `FOLLOW_UP_GRACE`, once across instances, so a crash after the
    commit loses neither."""
    decided = [r for r in results if r.decisions and r.meeting_id is not None]
    for meeting_id in dict.fromkeys(r.meeting_id for r in decided if r.meeting_id is not None):
        await queue_reconcile(uow, meeting_id, FOLLOW_UP_GRACE)
    due = uow.now() + FOLLOW_UP_GRACE
    await uow.jobs.schedule_many(
        [
            NewJob(receipt_job_key(r.inbound_id), RECEIPT, due, r.meeting_id)
            for r in decided
            if r.receipt_to is not None and r.inbound_id is not None
        ]
    )


def _threads(reply: ConsentReply) -> tuple[str, ...]:
    return tuple(i for i in (reply.in_reply_to, *reply.references) if i)


class _Lookups:
    """What planning a batch of emails reads, each read once: the Message-IDs of our requests
    that the emails answer, meetings by reference, and each meeting's attendees and latest
    consent requests."""

    def __init__(
        self, uow: UnitOfWork, thread_meetings: dict[str, str], thread_legal: dict[str, str]
    ) -> None:
        self._uow = uow
        self._thread_meetings = thread_meetings
        self._thread_legal = thread_legal
        self._legal_by_reference: dict[str, str | None] = {}
        self._by_reference: dict[str, str | None] = {}
        self._attendees: dict[str, list[AttendeeRow]] = {}
        self._requests: dict[str, dict[str, ConsentRequestRow]] = {}

    @classmethod
    async def load(cls, uow: UnitOfWork, replies: Sequence[ConsentReply | Unreadable]) -> _Lookups:
        threads = {t for r in replies if isinstance(r, ConsentReply) for t in _threads(r)}
        return cls(
            uow,
            await uow.meetings.meetings_by_message(threads),
            await LegalRequests(uow).answered_by_messages(threads),
        )

    def meetings_answered(self, reply: ConsentReply) -> set[str]:
        return {self._thread_meetings[t] for t in _threads(reply) if t in self._thread_meetings}

    def legal_requests_answered(self, reply: ConsentReply) -> set[str]:
        return {self._thread_legal[t] for t in _threads(reply) if t in self._thread_legal}

    async def legal_request_with_reference(self, reference: str) -> str | None:
        if reference not in self._legal_by_reference:
            self._legal_by_reference[reference] = await LegalRequests(self._uow).id_of(reference)
        return self._legal_by_reference[reference]

    async def meeting_with_reference(self, reference: str) -> str | None:
        if reference not in self._by_reference:
            try:
                found: str | None = (await self._uow.meetings.by_reference(reference)).id
            except MeetingNotFound:
                found = None
            self._by_reference[reference] = found
        return self._by_reference[reference]

    async def attendees_invited_at(self, meeting_id: str, address: str) -> list[AttendeeRow]:
        if meeting_id not in self._attendees:
            self._attendees[meeting_id] = await self._uow.meetings.attendees(meeting_id)
        index = self._uow.meetings.email_index(address)
        return [a for a in self._attendees[meeting_id] if a.email_index == index]

    async def latest_request(self, meeting_id: str, attendee_id: str) -> ConsentRequestRow | None:
        if meeting_id not in self._requests:
            self._requests[meeting_id] = await self._uow.meetings.latest_requests(meeting_id)
        return self._requests[meeting_id].get(attendee_id)


async def _plan(
    uow: UnitOfWork,
    lookups: _Lookups,
    email: InboundEmail,
    reply: ConsentReply | Unreadable,
    digest: str,
) -> _Plan:
    if isinstance(reply, Unreadable):
        unreadable = AuditEvent("intake.unreadable", detail={"size_bytes": len(email.raw)})
        return _Plan(
            IntakeResult(IntakeOutcome.UNREADABLE, reason=reply.reason[:64]), audits=(unreadable,)
        )
    if reply.auto_reply:
        return _Plan(IntakeResult(IntakeOutcome.AUTO_REPLY))

    legal_request, conflicting = await _match_legal_request(lookups, reply)
    if conflicting:
        return _review(email, reply, ReviewReason.CONFLICTING_MEETING)
    if legal_request is not None:
        return await _plan_legal(uow, email, reply, digest, legal_request)
    meeting_id, problem = await _match_meeting(lookups, reply)
    if meeting_id is None:
        return _review(email, reply, problem or ReviewReason.NO_MEETING)
    attendees = await lookups.attendees_invited_at(meeting_id, reply.sender or "")
    if len(attendees) != 1:
        reason = ReviewReason.SHARED_ADDRESS if attendees else ReviewReason.UNKNOWN_SENDER
        return _review(email, reply, reason, meeting_id)
    attendee = attendees[0]
    request = await lookups.latest_request(meeting_id, attendee.id)
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
    late = email.received_at >= real_start(meeting.starts_at, meeting.started_at)
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
            result=replace(queued.result, decisions=recorded, receipt_to=receipt_to),
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
            receipt_to=receipt_to,
        ),
        decisions=decisions,
        audits=audits,
    )


async def _match_legal_request(lookups: _Lookups, reply: ConsentReply) -> tuple[str | None, bool]:
    """The legal request whose request for permission the reply answers, by its reference or
    by threading, and whether the reply points elsewhere too (then a person reads it)."""
    by_reference = (
        await lookups.legal_request_with_reference(reply.legal_reference)
        if reply.legal_reference
        else None
    )
    by_thread = lookups.legal_requests_answered(reply)
    if not by_reference and not by_thread:
        return None, False
    if len(by_thread) > 1 or (by_reference and by_thread and by_thread != {by_reference}):
        return None, True
    if reply.reference or lookups.meetings_answered(reply):
        return None, True
    return by_reference or next(iter(by_thread)), False


async def _plan_legal(
    uow: UnitOfWork, email: InboundEmail, reply: ConsentReply, digest: str, request_id: str
) -> _Plan:
    """What an answer to a legal request's request for permission does (see
    `bot.policy.legal_permission`)."""
    target = await LegalRequests(uow).answer_target(request_id)
    sender_matches = (
        reply.sender is not None
        and target.email_index is not None
        and uow.meetings.email_index(reply.sender) == target.email_index
    )
    classification = reply.classification
    answer = read_answer(
        {topic: finding.decision for topic, finding in classification.findings.items()},
        classification.needs_review,
        reply.authenticated,
        sender_matches,
    )
    status = RequestStatus(target.status)
    step = step_for(status, answer)
    if step.review_reason is not None:
        return _legal_review(
            email,
            reply,
            step.review_reason,
            target.id,
            target.attendee_id if sender_matches else None,
        )
    evidence = next((f.evidence for f in classification.findings.values()), None)
    return _Plan(
        IntakeResult(
            IntakeOutcome.LEGAL_ANSWER,
            attendee_id=target.attendee_id,
            reason=step.status.value if step.status else "unchanged",
        ),
        legal=_LegalAnswer(
            request_id=target.id,
            reference=target.reference,
            attendee_id=target.attendee_id,
            status=status,
            step=step,
            answer=NewAnswer(
                received_at=email.received_at,
                by="email",
                auth=reply.authenticated.value,
                sender_matches=sender_matches,
                message_id=reply.message_id,
                email_sha256=digest,
                phrase=evidence,
            ),
        ),
    )


def _legal_review(
    email: InboundEmail,
    reply: ConsentReply,
    reason: LegalReviewReason,
    request_id: str,
    attendee_id: str | None,
) -> _Plan:
    """A reply about a legal request for the manager to read, linked to the request."""
    return replace(_review(email, reply, reason, attendee_id=attendee_id), legal_request=request_id)


async def _match_meeting(
    lookups: _Lookups, reply: ConsentReply
) -> tuple[str | None, ReviewReason | None]:
    by_reference = (
        await lookups.meeting_with_reference(reply.reference) if reply.reference else None
    )
    by_thread = lookups.meetings_answered(reply)
    if len(by_thread) > 1 or (by_reference and by_thread and by_thread != {by_reference}):
        return None, ReviewReason.CONFLICTING_MEETING
    if by_reference:
        return by_reference, None
    return (next(iter(by_thread)), None) if by_thread else (None, ReviewReason.NO_MEETING)


def _review(
    email: InboundEmail,
    reply: ConsentReply,
    reason: ReviewReason | LegalReviewReason,
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
