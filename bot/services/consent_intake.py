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

Here each email is recorded with its follow-ups; reading and matching it is `reply_matching`,
and what it comes to (`IntakeResult`, `ReviewReason`, ...) is `intake_results`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.intake.consent_email import classify_email
from bot.intake.verdict import ConsentReply, Unreadable
from bot.policy.legal_permission import ReviewReason as LegalReviewReason
from bot.services.intake_results import (
    InboundEmail,
    IntakeOutcome,
    IntakeResult,
    LegalAnswer,
    Plan,
)
from bot.services.legal_answers import RequestMovedOn, apply_answer
from bot.services.recording_checks import queue_reconcile
from bot.services.reply_matching import Lookups, legal_review, plan_email
from bot.services.review_follow_ups import queue_acknowledgement
from consent_store.audit import AuditEvent
from consent_store.errors import AlreadyStored
from consent_store.inbound import InboundRecord, email_key
from consent_store.jobs import NewJob
from consent_store.legal_requests import LegalRequests
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AuthVerdict


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
        lookups = await Lookups.load(uow, [reply for _, reply in read])
        for email, reply in read:
            digest = hashlib.sha256(email.raw).hexdigest()
            plan = await plan_email(uow, lookups, email, reply, digest)
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
    plan: Plan


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


async def _apply_legal(uow: UnitOfWork, prepared: _Prepared, legal: LegalAnswer) -> Plan:
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
        return legal_review(
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
