"""What the review queue owes the sender of an email a person reads.

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
from datetime import timedelta

from bot.config import ServiceProfile
from bot.mail.receipt import render_receipt
from bot.mail.review_acknowledgement import render_acknowledgement
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import MailSender, OutgoingEmail
from bot.scheduler.runner import Handler
from consent_store.jobs import ClaimedJob
from consent_store.stored import ReviewItemRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AuthVerdict, Decision, Topic

log = logging.getLogger(__name__)

ACKNOWLEDGEMENT = "review_acknowledgement"
RECEIPT = "review_receipt"
RECEIPT_GRACE = timedelta(minutes=1)
"""How long the page that confirmed a reading has to send its receipt itself before any
instance's job runner takes it on."""


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
