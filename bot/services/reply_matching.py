"""Reading one consent reply, before anything is written: which meeting it answers (by the
reference token or by threading against the requests we sent; if the two disagree, a person
decides), which attendee sent it (only by the address they were invited at), what they were
asked (their latest consent request), and so which decisions to record, whether a person must
read it, and whether it answers a legal request's request for permission instead (read with
the careful rule of `bot.policy.legal_permission`). `consent_intake` records the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.intake.verdict import ConsentReply, Unreadable
from bot.policy.legal_permission import RequestStatus, read_answer, step_for
from bot.policy.legal_permission import ReviewReason as LegalReviewReason
from bot.services.intake_results import (
    InboundEmail,
    IntakeOutcome,
    IntakeResult,
    LegalAnswer,
    Plan,
    ReceiptAddress,
    ReviewReason,
)
from consent_store.audit import AuditEvent
from consent_store.legal_request_records import NewAnswer
from consent_store.legal_requests import LegalRequests
from consent_store.records import NewDecision, NewReviewItem
from consent_store.repository import MeetingNotFound
from consent_store.stored import AttendeeRow, ConsentRequestRow
from consent_store.unit_of_work import UnitOfWork
from domain.terms import Decision, Topic, real_start


def _threads(reply: ConsentReply) -> tuple[str, ...]:
    return tuple(i for i in (reply.in_reply_to, *reply.references) if i)


class Lookups:
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
    async def load(cls, uow: UnitOfWork, replies: Sequence[ConsentReply | Unreadable]) -> Lookups:
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


async def plan_email(
    uow: UnitOfWork,
    lookups: Lookups,
    email: InboundEmail,
    reply: ConsentReply | Unreadable,
    digest: str,
) -> Plan:
    if isinstance(reply, Unreadable):
        unreadable = AuditEvent("intake.unreadable", detail={"size_bytes": len(email.raw)})
        return Plan(
            IntakeResult(IntakeOutcome.UNREADABLE, reason=reply.reason[:64]), audits=(unreadable,)
        )
    if reply.auto_reply:
        return Plan(IntakeResult(IntakeOutcome.AUTO_REPLY))

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
        return Plan(
            IntakeResult(
                IntakeOutcome.NOTHING_ASKED, meeting_id=meeting_id, attendee_id=attendee.id
            )
        )
    return Plan(
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


async def _match_legal_request(lookups: Lookups, reply: ConsentReply) -> tuple[str | None, bool]:
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
) -> Plan:
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
        return legal_review(
            email,
            reply,
            step.review_reason,
            target.id,
            target.attendee_id if sender_matches else None,
        )
    evidence = next((f.evidence for f in classification.findings.values()), None)
    return Plan(
        IntakeResult(
            IntakeOutcome.LEGAL_ANSWER,
            attendee_id=target.attendee_id,
            reason=step.status.value if step.status else "unchanged",
        ),
        legal=LegalAnswer(
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


def legal_review(
    email: InboundEmail,
    reply: ConsentReply,
    reason: LegalReviewReason,
    request_id: str,
    attendee_id: str | None,
) -> Plan:
    """A reply about a legal request for the manager to read, linked to the request."""
    return replace(_review(email, reply, reason, attendee_id=attendee_id), legal_request=request_id)


async def _match_meeting(
    lookups: Lookups, reply: ConsentReply
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
) -> Plan:
    return Plan(
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
