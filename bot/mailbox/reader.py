"""The mailbox reader: takes every new email in the consent mailbox through intake, then
carries out what the recorded decisions need: the meeting's gates asked again, and a receipt
to each person for what was recorded.

Emails are fetched several at a time and recorded in batches (one write each): what counts
is each email's received time, not the order of processing. Reading runs on a change
notification (for speed), on a timer and at start-up (to catch up after downtime): the delta
link stored in the database says where reading got to. Two bot instances may read the same
email; intake records it once.

The follow-ups are jobs written in the same transaction as the decisions (an outbox,
`consent_intake.queue_follow_ups`); the reader runs them as soon as a batch is recorded, and
the bot's job runner runs any left behind (a crash, a failure to retry), on any instance,
each once. A receipt is sent at least once: if the process dies after sending it and before
noting it sent, it is sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox, MailboxMessage, OutgoingEmail
from bot.mail.receipt import render_receipt
from bot.scheduler.runner import Handler, JobRunner, RetryPolicy
from bot.services.consent_intake import RECEIPT, InboundEmail, take_in_all
from bot.services.recording_enforcement import RECONCILE, RECONCILE_RETRY
from consent_store.jobs import ClaimedJob
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

DecisionsChanged = Callable[[str], Awaitable[None]]
BATCH = 25
"""Emails recorded per write transaction; the next batch is fetched meanwhile."""
FOLLOW_UP_LEASE = timedelta(minutes=2)


class MailboxReader:
    def __init__(
        self,
        store: Store,
        mailbox: ConsentMailbox,
        service: ServiceProfile,
        on_decisions: DecisionsChanged | None = None,
        concurrency: int = 8,
        worker_id: str = "mailbox-reader",
    ) -> None:
        """`on_decisions` asks a meeting's gates again after its decisions changed (it raises
        to be retried); `worker_id` names this instance in job claims."""
        self._store = store
        self._mailbox = mailbox
        self._service = service
        self._on_decisions = on_decisions
        self._concurrency = concurrency
        self._follow_ups = JobRunner(
            store,
            self.follow_up_handlers(),
            f"{worker_id}:mail"[:64],
            FOLLOW_UP_LEASE,
            FOLLOW_UP_LEASE,
            clock=store.clock,
            batch_size=concurrency,
            retry=self.follow_up_retry(),
        )

    def follow_up_handlers(self) -> Mapping[str, Handler]:
        """The jobs that follow recorded decisions, for the bot's job runner too."""
        handlers: dict[str, Handler] = {RECEIPT: self._send_receipt}
        if self._on_decisions is not None:
            handlers[RECONCILE] = self._decisions_changed
        return handlers

    @staticmethod
    def follow_up_retry() -> Mapping[str, RetryPolicy]:
        return {RECONCILE: RECONCILE_RETRY}

    async def catch_up(self) -> Counter[str]:
        """Process everything new since the stored delta link; counts outcomes."""
        async with self._store.reading() as uow:
            cursor = await uow.inbound.cursor(self._mailbox.address)
            delta_link = cursor.delta_link if cursor else None
        messages, next_link = await self._mailbox.changes(delta_link)
        outcomes: Counter[str] = Counter()
        slots = asyncio.Semaphore(self._concurrency)

        async def fetch(message: MailboxMessage) -> InboundEmail:
            async with slots:
                raw = await self._mailbox.mime(message.id)
            return InboundEmail(raw, message.received_at, message.id)

        batches = [messages[first : first + BATCH] for first in range(0, len(messages), BATCH)]
        fetching = [asyncio.gather(*(fetch(m) for m in batch)) for batch in batches[:1]]
        following: list[asyncio.Task[None]] = []
        try:
            for number in range(len(batches)):
                if number + 1 < len(batches):
                    fetching.append(asyncio.gather(*(fetch(m) for m in batches[number + 1])))
                results = await take_in_all(self._store, await fetching[number])
                outcomes.update(result.outcome.value for result in results)
                if any(result.decisions for result in results):
                    following.append(asyncio.create_task(self._run_follow_ups()))
            await asyncio.gather(*following)
        finally:
            for fetch_batch in fetching:
                fetch_batch.cancel()
            for task in following:
                task.cancel()
        if next_link:
            async with self._store.unit_of_work() as uow:
                await uow.inbound.save_cursor(
                    self._mailbox.address, uow.now(), delta_link=next_link
                )
                await uow.commit()
        if messages:
            log.info("consent mailbox: %s", dict(outcomes))
        return outcomes

    async def _run_follow_ups(self) -> None:
        while await self._follow_ups.run_once():
            continue

    async def _decisions_changed(self, job: ClaimedJob) -> None:
        if job.meeting_id is not None and self._on_decisions is not None:
            await self._on_decisions(job.meeting_id)

    async def _send_receipt(self, job: ClaimedJob) -> None:
        """Send the receipt the job's key names, unless it was sent already."""
        inbound_id = job.key.removeprefix("receipt:")
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
