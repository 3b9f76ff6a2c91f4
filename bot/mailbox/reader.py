"""The mailbox reader: takes every new email in the consent mailbox through intake, then
sends each person a receipt for what was recorded.

Emails are fetched several at a time and recorded in batches (one write each): what counts
is each email's received time, not the order of processing. Reading runs on a change
notification (for speed), on a timer and at start-up (to catch up after downtime): the delta
link stored in the database says where reading got to. Two bot instances may read the same
email; intake records it once, and only the instance that recorded it sends the receipt.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable

from bot.config import ServiceProfile
from bot.graph.failures import GRAPH_FAILURES
from bot.graph.mailbox import ConsentMailbox, MailboxMessage, OutgoingEmail
from bot.mail.receipt import render_receipt
from bot.services.consent_intake import InboundEmail, IntakeOutcome, IntakeResult, take_in_all
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

DecisionsChanged = Callable[[str], Awaitable[None]]
BATCH = 25
"""Emails recorded per write transaction; the next batch is fetched meanwhile."""


class MailboxReader:
    def __init__(
        self,
        store: Store,
        mailbox: ConsentMailbox,
        service: ServiceProfile,
        on_decisions: DecisionsChanged | None = None,
        concurrency: int = 8,
    ) -> None:
        self._store = store
        self._mailbox = mailbox
        self._service = service
        self._on_decisions = on_decisions
        self._concurrency = concurrency

    async def catch_up(self) -> Counter[str]:
        """Process everything new since the stored delta link; counts outcomes."""
        async with self._store.reading() as uow:
            cursor = await uow.inbound.cursor(self._mailbox.address)
            delta_link = cursor.delta_link if cursor else None
        messages, next_link = await self._mailbox.changes(delta_link)
        outcomes: Counter[str] = Counter()
        receipts_sent: list[str] = []
        slots = asyncio.Semaphore(self._concurrency)

        async def fetch(message: MailboxMessage) -> InboundEmail:
            async with slots:
                raw = await self._mailbox.mime(message.id)
            return InboundEmail(raw, message.received_at, message.id)

        async def receipt(result: IntakeResult) -> None:
            async with slots:
                try:
                    sent = await self._after_decisions(result)
                except GRAPH_FAILURES as error:
                    log.warning("a receipt was not sent: %s", type(error).__name__)
                    return
            if sent is not None:
                receipts_sent.append(sent)

        batches = [messages[first : first + BATCH] for first in range(0, len(messages), BATCH)]
        fetching = [asyncio.gather(*(fetch(m) for m in batch)) for batch in batches[:1]]
        sending: list[asyncio.Task[None]] = []
        try:
            for number in range(len(batches)):
                if number + 1 < len(batches):
                    fetching.append(asyncio.gather(*(fetch(m) for m in batches[number + 1])))
                results = await take_in_all(self._store, await fetching[number])
                outcomes.update(result.outcome.value for result in results)
                sending += [asyncio.create_task(receipt(r)) for r in results if r.decisions]
            await asyncio.gather(*sending)
        finally:
            for fetch_batch in fetching:
                fetch_batch.cancel()
            for task in sending:
                task.cancel()
        if next_link or receipts_sent:
            async with self._store.unit_of_work() as uow:
                if receipts_sent:
                    await uow.inbound.mark_receipts_sent(receipts_sent, uow.now())
                if next_link:
                    await uow.inbound.save_cursor(
                        self._mailbox.address, uow.now(), delta_link=next_link
                    )
                await uow.commit()
        if messages:
            log.info("consent mailbox: %s", dict(outcomes))
        return outcomes

    async def _after_decisions(self, result: IntakeResult) -> str | None:
        """Re-check the meeting's gates and send the receipt; the inbound email's id if sent."""
        if result.meeting_id is not None and self._on_decisions is not None:
            await self._on_decisions(result.meeting_id)
        if result.receipt_to is None or result.inbound_id is None:
            return None
        receipt = render_receipt(
            name=result.receipt_to.name,
            reference=result.receipt_to.reference,
            decisions=result.decisions,
            late=result.outcome is IntakeOutcome.LATE,
            service=self._service,
        )
        await self._mailbox.send(
            OutgoingEmail(
                to=result.receipt_to.email,
                subject=receipt.subject,
                text=receipt.text,
                html=receipt.html,
            )
        )
        return result.inbound_id
