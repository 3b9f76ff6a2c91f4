"""The mailbox reader: takes every new email in the consent mailbox through intake, then
carries out what the recorded decisions need: the meeting's gates asked again, and a receipt
to each person for what was recorded (and for an answer to a legal request, what they answered
and what happens next).

Emails are fetched several at a time and recorded in batches (one write each): what counts
is each email's received time, not the order of processing. Reading runs on a change
notification (for speed), on a timer and at start-up (to catch up after downtime): the delta
link stored in the database says where reading got to. Two bot instances may read the same
email; intake records it once.

The follow-ups are jobs written in the same transaction as the decisions (an outbox,
`consent_intake.queue_follow_ups`), due after `FOLLOW_UP_GRACE`. The reader carries them out
at once itself and then marks those jobs done, in one write per batch; whatever it did not
finish (the process died, Graph failed) the bot's job runner finds due after the grace, on any
instance, and runs once. A receipt is sent at least once: if the process dies after sending it
and before marking it, it is sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot import instruments
from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox, MailboxMessage
from bot.mail.receipt import render_receipt
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import OutgoingEmail
from bot.scheduler.failures import HANDLED_FAILURES
from bot.scheduler.runner import Handler
from bot.services.consent_intake import RECEIPT, receipt_job_key, take_in_all
from bot.services.intake_results import InboundEmail, IntakeOutcome, IntakeResult
from bot.services.legal_receipts import LegalReceipts
from bot.services.recording_checks import (
    RECONCILE,
    RECONCILE_SOON,
    queue_reconcile,
    reconcile_job_key,
)
from bot.services.review_follow_ups import ReviewFollowUps
from consent_store.jobs import ClaimedJob
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

DecisionsChanged = Callable[[str], Awaitable[None]]
BATCH = 25
"""Emails recorded per write transaction; the next batch is fetched meanwhile."""


@dataclass(frozen=True)
class _Done:
    """A follow-up job the reader carried out itself, and the inbound email whose receipt it
    sent, if it was one."""

    job: str
    receipt_for: str | None = None


class MailboxReader:
    def __init__(
        self,
        store: Store,
        mailbox: ConsentMailbox,
        service: ServiceProfile,
        on_decisions: DecisionsChanged | None = None,
        concurrency: int = 8,
    ) -> None:
        """`on_decisions` asks a meeting's gates again after its decisions changed (it raises
        to be retried)."""
        self._store = store
        self._mailbox = mailbox
        self._service = service
        self._on_decisions = on_decisions
        self._concurrency = concurrency
        self._legal_receipts = LegalReceipts(store, mailbox, service)

    def follow_up_handlers(self) -> Mapping[str, Handler]:
        """The jobs that follow recorded decisions, for the bot's job runner too, and those the
        review queue owes a sender (the acknowledgement and the receipt after staff read it)."""
        handlers: dict[str, Handler] = {
            RECEIPT: self._send_receipt,
            **ReviewFollowUps(self._store, self._mailbox, self._service).handlers(),
            **self._legal_receipts.handlers(),
        }
        if self._on_decisions is not None:
            handlers[RECONCILE] = self._decisions_changed
        return handlers

    async def catch_up(self) -> Counter[str]:
        """Process everything new since the stored delta link; counts outcomes (on its span
        too, with the replies' lag: `bot/instruments.py`)."""
        with instruments.span("consent_mailbox.read") as span:
            outcomes = await self._read()
            span.set_attribute("iass.consent_mailbox.messages", outcomes.total())
            for outcome, count in outcomes.items():
                span.set_attribute(f"iass.consent_mailbox.outcome.{outcome}", count)
            return outcomes

    async def _read(self) -> Counter[str]:
        async with self._store.reading() as uow:
            cursor = await uow.inbound.cursor(self._mailbox.address)
            delta_link = cursor.delta_link if cursor else None
        messages, next_link = await self._mailbox.changes(delta_link)
        instruments.replies_waiting([message.received_at for message in messages])
        outcomes: Counter[str] = Counter()
        slots = asyncio.Semaphore(self._concurrency)

        async def fetch(message: MailboxMessage) -> InboundEmail:
            async with slots:
                raw = await self._mailbox.mime(message.id)
            return InboundEmail(raw, message.received_at, message.id)

        batches = [messages[first : first + BATCH] for first in range(0, len(messages), BATCH)]
        fetching = [asyncio.gather(*(fetch(m) for m in batch)) for batch in batches[:1]]
        following: list[asyncio.Task[_Done | None]] = []
        try:
            for number in range(len(batches)):
                if number + 1 < len(batches):
                    fetching.append(asyncio.gather(*(fetch(m) for m in batches[number + 1])))
                results = await take_in_all(self._store, await fetching[number])
                instruments.replies_taken_in([message.received_at for message in batches[number]])
                outcomes.update(result.outcome.value for result in results)
                following += self._follow_up(results, slots)
            done = [d for d in await asyncio.gather(*following) if d is not None]
        finally:
            for fetch_batch in fetching:
                fetch_batch.cancel()
            for task in following:
                task.cancel()
        if next_link or done:
            async with self._store.unit_of_work() as uow:
                receipts = [d.receipt_for for d in done if d.receipt_for is not None]
                await uow.inbound.mark_receipts_sent(receipts, uow.now())
                await uow.jobs.complete_unclaimed([d.job for d in done], uow.now())
                if next_link:
                    await uow.inbound.save_cursor(
                        self._mailbox.address, uow.now(), delta_link=next_link
                    )
                await uow.commit()
        instruments.replies_waiting(())
        if messages:
            log.info("consent mailbox: %s", dict(outcomes))
        return outcomes

    def _follow_up(
        self, results: list[IntakeResult], slots: asyncio.Semaphore
    ) -> list[asyncio.Task[_Done | None]]:
        """Carry out at once what the batch's decisions queued: each meeting's gates asked
        again, each receipt sent; each task says which job it did, if it did."""
        decided = [r for r in results if r.decisions]
        meetings = dict.fromkeys(r.meeting_id for r in decided if r.meeting_id is not None)
        return [
            *(asyncio.create_task(self._recheck(m, slots)) for m in meetings),
            *(asyncio.create_task(self._receipt(r, slots)) for r in decided if r.receipt_to),
            *(
                asyncio.create_task(self._legal_receipt(r.legal_receipt_job, slots))
                for r in results
                if r.legal_receipt_job is not None
            ),
        ]

    async def _legal_receipt(self, job_key: str, slots: asyncio.Semaphore) -> None:
        """Send the receipt for an answer to a legal request at once; it holds and finishes
        its own job, so it returns none for the reader to mark."""
        async with slots:
            await self._legal_receipts.send_now(job_key)

    async def _recheck(self, meeting_id: str, slots: asyncio.Semaphore) -> _Done | None:
        if self._on_decisions is None:
            return None
        async with slots:
            try:
                await self._on_decisions(meeting_id)
            except HANDLED_FAILURES as failure:
                log.warning("gates not re-checked yet, left to the job: %s", type(failure).__name__)
                async with self._store.unit_of_work() as uow:
                    await queue_reconcile(uow, meeting_id, RECONCILE_SOON)
                    await uow.commit()
                return None
        return _Done(reconcile_job_key(meeting_id))

    async def _receipt(self, result: IntakeResult, slots: asyncio.Semaphore) -> _Done | None:
        if result.receipt_to is None or result.inbound_id is None:
            return None
        receipt = render_receipt(
            name=result.receipt_to.name,
            reference=result.receipt_to.reference,
            decisions=result.decisions,
            late=result.outcome is IntakeOutcome.LATE,
            service=self._service,
        )
        async with slots:
            try:
                await self._mailbox.send(
                    OutgoingEmail(
                        to=result.receipt_to.email,
                        subject=receipt.subject,
                        text=receipt.text,
                        html=receipt.html,
                    )
                )
            except GRAPH_FAILURES as error:
                log.warning("a receipt was not sent yet, left to the job: %s", type(error).__name__)
                return None
        return _Done(receipt_job_key(result.inbound_id), receipt_for=result.inbound_id)

    async def _decisions_changed(self, job: ClaimedJob) -> None:
        if job.meeting_id is not None and self._on_decisions is not None:
            await self._on_decisions(job.meeting_id)

    async def _send_receipt(self, job: ClaimedJob) -> None:
        """Send the receipt the job's key names, unless it was sent already."""
        inbound_id = job.key.removeprefix(receipt_job_key(""))
        async with self._store.reading() as uow:
            due = await uow.meetings.receipt_due(inbound_id)
            if due is None or due.sent or not due.decisions:
                return
            attendee = due.attendee
            name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
            address = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id)
        if not name or not address:
            return
        receipt = render_receipt(
            name=name,
            reference=due.reference,
            decisions=due.decisions,
            late=due.late,
            service=self._service,
        )
        await self._mailbox.send(
            OutgoingEmail(to=address, subject=receipt.subject, text=receipt.text, html=receipt.html)
        )
        async with self._store.unit_of_work() as uow:
            await uow.inbound.mark_receipts_sent([inbound_id], uow.now())
            await uow.commit()
