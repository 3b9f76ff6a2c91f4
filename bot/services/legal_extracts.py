"""Sending a legal request's extract once it may be sent (issue 17): its job, queued in the
transaction that permits sending, and `LegalExtracts`, which sends it to the officer, with the
service user in copy unless it is sent for safeguarding, once however its senders race (each
first claims the send on the request in the store).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from bot.config import ServiceProfile
from bot.policy.legal_permission import RequestStatus, may_send
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import FileAttachment, Mailbox, OutgoingEmail
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler
from consent_store.audit import AuditEvent
from consent_store.jobs import ClaimedJob
from consent_store.legal_extract import legal_extract
from consent_store.legal_requests import LegalRequests
from consent_store.unit_of_work import Store, UnitOfWork
from templates import environment

log = logging.getLogger(__name__)

LEGAL_EXTRACT = "legal_extract"
SEND_GRACE = timedelta(minutes=1)
"""How long a page that queued the extract has to send it itself before any instance's job
runner takes it on."""
HTML_TYPE: Final = "text/html"
EXTRACT_CLAIM = timedelta(minutes=5)
"""How long a sender's claim on the extract lasts: as long as the job runner lets a job run
(its lease), so a sender that died is followed, once its claim runs out, by the next try of
its job, well before the job's retries are given up."""
EXTRACT_BEING_SENT: Final = "extract being sent by another sender"


class ExtractBeingSent(JobFailed):
    """Someone else holds the claim to send the extract: try again later."""


def extract_job_key(request_id: str) -> str:
    """A new key for a job sending the request's extract (a request sent nothing, refused, and
    later permitted gets a second job)."""
    return f"legal-extract:{request_id}:{uuid.uuid4().hex[:12]}"


async def queue_extract(uow: UnitOfWork, request_id: str, grace: timedelta = timedelta(0)) -> str:
    """In the transaction that permits sending: the job that sends the extract; its key."""
    key = extract_job_key(request_id)
    await uow.jobs.schedule(key, LEGAL_EXTRACT, uow.now() + grace)
    return key


class LegalExtracts:
    """Sends a legal request's extract once it may be sent: to the officer, with the service
    user in copy unless it is sent for safeguarding."""

    def __init__(self, store: Store, mailbox: Mailbox, service: ServiceProfile) -> None:
        self._store = store
        self._mailbox = mailbox
        self._service = service

    def handlers(self) -> Mapping[str, Handler]:
        """The extract's job, for the bot's job runner."""
        return {LEGAL_EXTRACT: self._job}

    async def _job(self, job: ClaimedJob) -> None:
        await self.send(job.key.split(":")[1])

    async def send_now(self, request_id: str, job_key: str) -> bool:
        """Send the extract from a page that just permitted it and mark its job done; whether
        it went (if not, the job sends it after `SEND_GRACE`)."""
        try:
            sent = await self.send(request_id)
        except (*GRAPH_FAILURES, ExtractBeingSent) as error:
            log.warning("legal extract not sent yet, left to the job: %s", type(error).__name__)
            return False
        async with self._store.unit_of_work() as uow:
            await uow.jobs.complete_unclaimed([job_key], uow.now())
            await uow.commit()
        return sent

    async def send(self, request_id: str) -> bool:
        """Send the extract if the request may be sent now and was not sent yet; whether it is
        sent. The service user's address is needed for the copy: without it nothing is sent
        (audited), nor for a request disposed of under the retention schedule.

        The sender first claims the send in the store (a compare-and-set on the request's
        status, for `EXTRACT_CLAIM`), so of two senders racing (two instances' job runners, a
        page and the job behind it, a retried job, two jobs queued by two decisions) only one
        sends; the other raises `ExtractBeingSent` and its job is tried again later, when it
        finds the extract sent (or the claim given up or run out: the claimant failed)."""
        async with self._store.reading() as uow:
            records = LegalRequests(uow)
            request = await records.get_by_id(request_id)
            if request.extract is not None:
                return True
            status = RequestStatus(request.status)
            if not may_send(status):
                return False
            disposed = request.disposed_at is not None
            extract = None if disposed else await legal_extract(uow, request_id)
            person = await records.service_user(request.attendee_id)
            name = uow.decrypt(person.name_enc, "attendees", "name", person.id)
            address = uow.decrypt(person.email_enc, "attendees", "email", person.id)
        safeguarding = status is RequestStatus.SAFEGUARDING
        if extract is None:
            await self._not_sent(request.attendee_id, request.reference, "request_disposed")
            return False
        if not safeguarding and not (name and address):
            await self._not_sent(request.attendee_id, request.reference, "address_not_kept")
            return False
        claimant = uuid.uuid4().hex
        async with self._store.unit_of_work() as uow:
            claimed = await LegalRequests(uow).claim_extract(
                request_id, status.value, claimant, uow.now() + EXTRACT_CLAIM
            )
            await uow.commit()
        if not claimed:
            return await self._not_claimed(request_id)
        context = {
            "officer": request.officer_name,
            "basis": request.basis,
            "person": name,
            "safeguarding": safeguarding,
            "file_name": extract.file_name,
            "reference": request.reference,
            "service": self._service,
        }
        env = environment()
        domain = self._mailbox.address.rpartition("@")[2]
        message_id = f"<legal-extract.{request.reference.lower()}@{domain}>"
        try:
            await self._mailbox.send(
                OutgoingEmail(
                    to=request.officer_email,
                    cc=() if safeguarding or address is None else (address,),
                    subject=f"Information for your legal request [{request.reference}]",
                    text=env.get_template("email/legal_extract.txt.j2").render(context),
                    html=env.get_template("email/legal_extract.html.j2").render(context),
                    internet_message_id=message_id,
                    attachments=(FileAttachment(extract.file_name, HTML_TYPE, extract.html),),
                )
            )
        except GRAPH_FAILURES:
            async with self._store.unit_of_work() as uow:
                await LegalRequests(uow).release_extract(request_id, claimant)
                await uow.commit()
            raise
        async with self._store.unit_of_work() as uow:
            recorded = await LegalRequests(uow).record_extract_sent(
                request_id,
                RequestStatus.EXTRACT_SENT.value,
                extract.sha256,
                message_id,
                claimant=claimant,
            )
            await uow.audit(
                AuditEvent(
                    "legal_request.extract_sent",
                    subject_id=request.attendee_id,
                    detail={
                        "reference": request.reference,
                        "sha256": extract.sha256,
                        "meetings": len(extract.invitations),
                        "decisions": len(extract.decisions),
                        "safeguarding": safeguarding,
                        "copy_to_service_user": not safeguarding,
                        "claim_held": recorded,
                    },
                )
            )
            await uow.commit()
        if not recorded:
            log.warning("legal extract sent after its claim ran out: it may have gone twice")
        return True

    async def _not_claimed(self, request_id: str) -> bool:
        """Another sender won the claim, or the request moved on: whether the extract is sent
        (False: it may no longer be sent); `ExtractBeingSent` while someone else sends it."""
        async with self._store.reading() as uow:
            request = await LegalRequests(uow).get_by_id(request_id)
        if request.extract is not None:
            return True
        if not may_send(RequestStatus(request.status)) or request.disposed_at is not None:
            return False
        raise ExtractBeingSent(EXTRACT_BEING_SENT)

    async def _not_sent(self, attendee_id: str, reference: str, reason: str) -> None:
        async with self._store.unit_of_work() as uow:
            await uow.audit(
                AuditEvent(
                    "legal_request.extract_not_sent",
                    subject_id=attendee_id,
                    detail={"reference": reference, "reason": reason},
                )
            )
            await uow.commit()
