"""The service user's receipt for their answer to a request for permission (issue 17): what
they answered and what happens next, its job queued with the answer and sent once
(`LegalReceipts`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import timedelta

from bot.config import ServiceProfile
from bot.mail.legal_receipt import render_legal_receipt
from bot.policy.legal_permission import RequestStatus
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import MailSender, OutgoingEmail
from bot.scheduler.runner import Handler
from consent_store.audit import AuditEvent
from consent_store.jobs import ClaimedJob
from consent_store.legal_requests import LegalRequests
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind

log = logging.getLogger(__name__)

LEGAL_RECEIPT = "legal_answer_receipt"
RECEIPT_CLAIM = timedelta(minutes=5)
"""How long whoever sends a receipt at once holds its job: as long as a job runner would."""
RECEIPT_ANSWERS = {
    RequestStatus.PERMISSION_GIVEN: "given",
    RequestStatus.PERMISSION_REFUSED: "refused",
}


def legal_receipt_job_key(request_id: str, answer: RequestStatus) -> str:
    """A new key for the job sending the receipt for one answer (given or refused) to the
    request: each answer that moves the request on gets its own receipt, once."""
    return f"legal-receipt:{request_id}:{RECEIPT_ANSWERS[answer]}:{uuid.uuid4().hex[:12]}"


class LegalReceipts:
    """Sends the service user the receipt for their answer to a request for permission: what
    they answered and what happens next, to the address they were invited at.

    The receipt's job is written in the transaction that records the answer (the outbox), so a
    crash loses none. Whoever sends it holds its job (the job runner's claim, or `send_now`'s
    claim by key for the mailbox reader sending it at once), and the job is done once it went,
    so it is sent once: two claimants cannot both hold it."""

    def __init__(self, store: Store, mailbox: MailSender, service: ServiceProfile) -> None:
        self._store = store
        self._mailbox = mailbox
        self._service = service

    def handlers(self) -> Mapping[str, Handler]:
        """The receipt's job, for the bot's job runner."""
        return {LEGAL_RECEIPT: self._job}

    async def _job(self, job: ClaimedJob) -> None:
        await self.send(job.key)

    async def send_now(self, job_key: str) -> bool:
        """Claim the receipt's job and send it now, then mark the job done; whether it went
        (False if someone else holds or did the job, or the send failed: then the job runner
        sends it when the job falls due)."""
        worker = f"receipt-now:{uuid.uuid4().hex[:12]}"
        async with self._store.unit_of_work() as uow:
            job = await uow.jobs.claim_key(job_key, worker, uow.now(), RECEIPT_CLAIM)
            await uow.commit()
        if job is None:
            return False
        try:
            sent = await self.send(job_key)
        except GRAPH_FAILURES as error:
            log.warning(
                "legal answer receipt not sent yet, left to the job: %s", type(error).__name__
            )
            async with self._store.unit_of_work() as uow:
                await uow.jobs.give_back(job.id, worker)
                await uow.commit()
            return False
        async with self._store.unit_of_work() as uow:
            await uow.jobs.complete(job.id, worker, uow.now())
            await uow.commit()
        return sent

    async def send(self, job_key: str) -> bool:
        """Send the receipt the job's key names; whether it went (not when the request was
        disposed of or the person's name or address is no longer kept)."""
        _, request_id, answer, _ = job_key.split(":")
        async with self._store.reading() as uow:
            records = LegalRequests(uow)
            request = await records.get_by_id(request_id)
            person = await records.service_user(request.attendee_id)
            name = uow.decrypt(person.name_enc, "attendees", "name", person.id)
            address = uow.decrypt(person.email_enc, "attendees", "email", person.id)
        if request.disposed_at is not None or not (name and address and request.officer_name):
            log.info("legal answer receipt not sent: the person's details are no longer kept")
            return False
        receipt = render_legal_receipt(
            name=name,
            reference=request.reference,
            officer=request.officer_name,
            given=answer == RECEIPT_ANSWERS[RequestStatus.PERMISSION_GIVEN],
            young=person.kind == AttendeeKind.YOUNG_PERSON.value,
            service=self._service,
        )
        await self._mailbox.send(
            OutgoingEmail(to=address, subject=receipt.subject, text=receipt.text, html=receipt.html)
        )
        async with self._store.unit_of_work() as uow:
            await uow.audit(
                AuditEvent(
                    "legal_request.receipt_sent",
                    subject_id=request.attendee_id,
                    detail={"reference": request.reference, "answer": answer},
                )
            )
            await uow.commit()
        return True
