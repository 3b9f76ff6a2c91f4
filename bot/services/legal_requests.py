"""Requests for information for legal reasons (issue 17).

Policy: "If the SEND IAS service receives a request for information from local authority
officers for legal reasons, for example judicial review, this will be considered by the service
manager. They may, with the permission of the child, young person, or parent carer, direct that
the relevant information be extracted from the file and sent to the relevant officer, with a
copy to the parent carers."

Staff log a request: who asked (name and address), the legal basis, the meetings it concerns
and the service user whose information it is (by the address they were invited at, which must
be a parent carer's or young person's invited to every one of those meetings). Only the
service manager decides: refuse, or ask the service user's permission by email in plain words.

Their answer is read by the consent intake (`consent_intake`) with the careful rule of
`bot.policy.legal_permission`; an unclear one waits in the review queue for the manager to read
on the request's page. With their permission the extract (`consent_store.legal_extract`: the
chosen meetings' decisions and notes about them, nothing about anyone else) is emailed to the
officer with the service user in copy, by a job written in the same transaction as the answer
(`LegalExtracts`); its SHA-256 is kept. Refused or unanswered, nothing is sent. The manager may
instead record a safeguarding reason to send without permission: then the officer alone gets
it (a copy to the family could put a child at risk).

Every step is audited with pseudonymous ids only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from bot.config import ServiceProfile
from bot.mail.consent_request import describe_when
from bot.mail.legal_receipt import render_legal_receipt
from bot.policy.legal_permission import (
    NotAskable,
    NotRecordable,
    RequestStatus,
    Step,
    confirmed_step,
    may_override,
    may_send,
    why_not_askable,
)
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import FileAttachment, Mailbox, MailSender, OutgoingEmail
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler
from consent_store.audit import AuditEvent, DetailValue
from consent_store.jobs import ClaimedJob
from consent_store.legal_extract import legal_extract
from consent_store.legal_requests import (
    LegalRequest,
    LegalRequests,
    NewAnswer,
    NewLegalRequest,
    ServiceUserInvitation,
)
from consent_store.stored import ReviewItemRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AttendeeKind, AuthVerdict
from templates import environment

log = logging.getLogger(__name__)

MAX_NAME: Final = 200
MAX_BASIS: Final = 2000
MAX_MEETINGS: Final = 20
MAX_REASON: Final = 2000
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+$")
_REFERENCE_SPLIT = re.compile(r"[\s,;]+")
FIELDS: Final = ("officer_name", "officer_email", "basis", "meetings", "service_user_email")
NO_MEETING: Final = "Enter the reference of at least one meeting the request is about."


class LegalRequestProblems(ValueError):
    """The form cannot be kept; `problems` says why, per field, in plain words."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


@dataclass(frozen=True, slots=True)
class LegalRequestInput:
    officer_name: str
    officer_email: str
    basis: str
    meeting_references: tuple[str, ...]
    service_user_email: str


def _address_problem(value: str, who: str) -> str | None:
    if not value:
        return f"Enter the {who}'s email address."
    if len(value) > 254 or not _ADDRESS.match(value):
        return f"Enter the {who}'s email address in the form name@example.org."
    return None


def parse_legal_request(form: Mapping[str, str]) -> LegalRequestInput:
    """The form as a request, or `LegalRequestProblems` naming every field that is wrong."""
    values = {name: form.get(name, "").strip() for name in FIELDS}
    references = tuple(
        dict.fromkeys(r.upper() for r in _REFERENCE_SPLIT.split(values["meetings"]) if r)
    )
    problems: dict[str, str] = {}
    if not values["officer_name"]:
        problems["officer_name"] = "Enter the name and role of the officer who asked."
    elif len(values["officer_name"]) > MAX_NAME:
        problems["officer_name"] = f"Enter at most {MAX_NAME} characters for who asked."
    officer = _address_problem(values["officer_email"], "officer")
    if officer:
        problems["officer_email"] = officer
    if not values["basis"]:
        problems["basis"] = "Enter the legal basis the officer gave, for example a judicial review."
    elif len(values["basis"]) > MAX_BASIS:
        problems["basis"] = f"Enter at most {MAX_BASIS} characters for the legal basis."
    if not references:
        problems["meetings"] = NO_MEETING
    elif len(references) > MAX_MEETINGS:
        problems["meetings"] = f"Name at most {MAX_MEETINGS} meetings."
    user = _address_problem(values["service_user_email"], "parent carer's or young person")
    if user:
        problems["service_user_email"] = user
    if problems:
        raise LegalRequestProblems(problems)
    return LegalRequestInput(
        officer_name=values["officer_name"],
        officer_email=values["officer_email"],
        basis=values["basis"],
        meeting_references=references,
        service_user_email=values["service_user_email"],
    )


NOT_INVITED: Final = (
    "That address is not a parent carer or young person invited to the meetings named. Check"
    " the address and the meetings."
)
NOT_INVITED_TO: Final = (
    "That address is not a parent carer or young person invited to {meetings}. A request can"
    " only name meetings the same person was invited to."
)
INVITED_AS_BOTH: Final = (
    "That address was invited as a parent carer to some of the meetings named and as a young"
    " person to others, so it is not clear whose information is asked for. Log one request for"
    " the parent carer's meetings and one for the young person's."
)


def the_service_user(
    meetings: Mapping[str, str], invitations: Sequence[ServiceUserInvitation]
) -> str:
    """The attendee a request about `meetings` (ids by reference) asks permission of: the one
    service user invited to every one of them at the address typed (`invitations`, the earliest
    meeting first), as the same kind of attendee, as invited to the latest of them (each meeting
    has its own attendee rows; the extract finds the same person in the others by address).
    `LegalRequestProblems` when the meetings do not share them."""
    invited = {invitation.meeting_id for invitation in invitations}
    missing = [reference for reference, meeting in meetings.items() if meeting not in invited]
    if not invitations:
        raise LegalRequestProblems({"service_user_email": NOT_INVITED})
    if missing:
        raise LegalRequestProblems({"meetings": NOT_INVITED_TO.format(meetings=", ".join(missing))})
    if len({invitation.kind for invitation in invitations}) != 1:
        raise LegalRequestProblems({"meetings": INVITED_AS_BOTH})
    return invitations[-1].attendee_id


async def log_legal_request(store: Store, request: LegalRequestInput, actor: str) -> str:
    """Keep the request (status "logged") and audit it; its reference. `LegalRequestProblems`
    for no meeting, meetings we do not hold, or meetings that do not share the service user at
    that address: nothing is kept."""
    if not request.meeting_references:
        raise LegalRequestProblems({"meetings": NO_MEETING})
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        meetings = await records.meetings_by_reference(request.meeting_references)
        unknown = [r for r in request.meeting_references if r not in meetings]
        if unknown:
            raise LegalRequestProblems(
                {"meetings": f"No meeting has the reference {', '.join(unknown)}."}
            )
        in_order = {r: meetings[r] for r in request.meeting_references}
        attendee_id = the_service_user(
            in_order,
            await records.service_users_invited_to(
                list(in_order.values()), request.service_user_email
            ),
        )
        reference = await records.add(
            NewLegalRequest(
                officer_name=request.officer_name,
                officer_email=request.officer_email,
                basis=request.basis,
                attendee_id=attendee_id,
                meeting_ids=tuple(in_order.values()),
                logged_by=actor,
            )
        )
        await uow.audit(
            AuditEvent(
                "legal_request.logged",
                actor=actor,
                subject_id=attendee_id,
                detail={"reference": reference, "meetings": len(in_order)},
            )
        )
        await uow.commit()
    return reference


class AlreadyDecided(RuntimeError):
    """The manager's decision was taken already; nothing was done."""


async def refuse_legal_request(store: Store, reference: str, manager: str) -> None:
    """The manager refuses: nothing is asked or sent. `AlreadyDecided` if it was decided."""
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        request = await records.get(reference)
        if not await records.decide(reference, "refused_by_manager", manager):
            raise AlreadyDecided(reference)
        await uow.audit(
            AuditEvent(
                "legal_request.refused_by_manager",
                actor=manager,
                subject_id=request.attendee_id,
                detail={"reference": request.reference},
            )
        )
        await uow.commit()


class PermissionNotAskable(RuntimeError):
    """The service user cannot be asked (the request's information is no longer held); the
    message says why in plain words. Nothing was sent; audited."""


NOT_ASKABLE_WORDS = {
    NotAskable.REQUEST_DISPOSED: "This request's information was disposed of under the"
    " retention schedule, with the meetings it names: who asked, why, and what the meetings"
    " held are no longer kept. The service user cannot be asked and nothing can be sent."
    " Refuse the request to close it.",
    NotAskable.MEETINGS_DISPOSED: "Some of the meetings this request names ({meetings}) were"
    " disposed of under the retention schedule, so their information is no longer kept and the"
    " service user cannot be told what would be sent. Refuse this request, and log a new one"
    " naming only the meetings still kept if the information is still needed.",
    NotAskable.ADDRESS_NOT_KEPT: "The service user's name or email address is no longer kept,"
    " so they cannot be asked. Nothing was sent.",
}


def _not_askable(request: LegalRequest, *, address_kept: bool) -> NotAskable | None:
    return why_not_askable(
        request_disposed=request.disposed_at is not None,
        meetings_disposed=len(request.disposed_meetings),
        address_kept=address_kept,
    )


def _words(reason: NotAskable, request: LegalRequest) -> str:
    return NOT_ASKABLE_WORDS[reason].format(meetings=", ".join(request.disposed_meetings))


def disposal_words(request: LegalRequest) -> str | None:
    """Why the service user cannot be asked permission for `request` because its information,
    or that of a meeting it names, was disposed of, in plain words for its page; None when
    nothing it needs was disposed of."""
    reason = _not_askable(request, address_kept=True)
    return None if reason is None else _words(reason, request)


async def ask_permission(
    store: Store,
    mailbox: Mailbox,
    service: ServiceProfile,
    reference: str,
    manager: str,
) -> None:
    """Email the service user, in plain words, who asked, why, what would be sent and that
    they may say no; recorded (with the email's hash) once the mailbox accepted it.
    `AlreadyDecided` if it was decided; `PermissionNotAskable` (audited, nothing sent) when the
    request's information, or any of its meetings', was disposed of, or the service user's
    name or address is no longer kept."""
    async with store.reading() as uow:
        records = LegalRequests(uow)
        request = await records.get(reference)
        if request.status != "logged":
            raise AlreadyDecided(reference)
        attendee = await records.service_user(request.attendee_id)
        name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id) or ""
        address = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id) or ""
        meetings = []
        for meeting_reference in request.meeting_references:
            meeting = await uow.meetings.by_reference(meeting_reference)
            title = uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id) or ""
            meetings.append((title, describe_when(meeting.starts_at, meeting.ends_at)))
    reason = _not_askable(request, address_kept=bool(name and address))
    if reason is not None:
        await _not_asked(store, request, manager, reason)
        raise PermissionNotAskable(_words(reason, request))
    young = attendee.kind == "young_person"
    context = {
        "name": name,
        "officer": request.officer_name,
        "basis": request.basis,
        "meetings": meetings,
        "reference": request.reference,
        "service": service,
        "young": young,
    }
    env = environment()
    text = env.get_template("email/legal_request_permission.txt.j2").render(context)
    html = env.get_template("email/legal_request_permission.html.j2").render(context)
    message_id = (
        f"<{uuid.uuid4().hex}.{request.reference.lower()}@{mailbox.address.rpartition('@')[2]}>"
    )
    await mailbox.send(
        OutgoingEmail(
            to=address,
            subject=f"A request for your information [{request.reference}]",
            text=text,
            html=html,
            internet_message_id=message_id,
        )
    )
    digest = hashlib.sha256(text.encode() + b"\0" + html.encode()).hexdigest()
    async with store.unit_of_work() as uow:
        if not await LegalRequests(uow).decide(
            reference, "permission_asked", manager, message_id=message_id, sha256=digest
        ):
            raise AlreadyDecided(reference)
        await uow.audit(
            AuditEvent(
                "legal_request.permission_asked",
                actor=manager,
                subject_id=request.attendee_id,
                detail={"reference": request.reference, "sha256": digest},
            )
        )
        await uow.commit()


async def _not_asked(store: Store, request: LegalRequest, manager: str, reason: NotAskable) -> None:
    """Audit that the manager's choice to ask permission was refused, and why (a code)."""
    async with store.unit_of_work() as uow:
        await uow.audit(
            AuditEvent(
                "legal_request.permission_not_asked",
                actor=manager,
                subject_id=request.attendee_id,
                detail={"reference": request.reference, "reason": reason.value},
            )
        )
        await uow.commit()


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


class AnswerRefused(ValueError):
    """The manager's reading of a reply cannot be recorded; the message says why in plain
    words."""


NOT_RECORDABLE_WORDS = {
    NotRecordable.NOT_TRUSTWORTHY: "This email did not pass the sender check or did not come"
    " from the address the service user was invited at, so it cannot give permission."
    " Record it as refused, or set it aside and contact them.",
    NotRecordable.ALREADY_SENT: "The extract was sent already, or is being sent for"
    " safeguarding: an answer cannot change that now. Set the email aside and contact them.",
    NotRecordable.NOT_ASKED: "The service user has not been asked for permission, so no answer"
    " can be recorded. Set the email aside.",
}


@dataclass(frozen=True, slots=True)
class ReplyRead:
    """What the manager's reading of a reply did: the request's new status (None if
    unchanged) and the key of the job sending the extract, if it is to be sent now."""

    status: RequestStatus | None
    extract_job: str | None


async def read_reply(
    store: Store, reference: str, item_id: str, manager: str, *, agreed: bool
) -> ReplyRead:
    """The manager records what a reply a person had to read says: permission given (only
    from a trustworthy email) or refused. The review item is resolved, the answer recorded
    with the email's evidence and audited, the receipt's job queued (the job runner sends it at
    once) and the extract's job when it may be sent, all in one transaction. `AnswerRefused`
    (nothing changed) when it cannot be recorded."""
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        request = await records.get(reference)
        item = await _open_reply(uow, request.id, item_id)
        person = await records.service_user(request.attendee_id)
        sender_matches = item.sender_index is not None and item.sender_index == person.email_index
        auth = AuthVerdict(item.auth_verdict)
        step = confirmed_step(
            RequestStatus(request.status), agreed, auth is AuthVerdict.PASS and sender_matches
        )
        if isinstance(step, NotRecordable):
            raise AnswerRefused(NOT_RECORDABLE_WORDS[step])
        if not await uow.review_items.resolve(item.id, "confirmed", manager, uow.now()):
            raise AnswerRefused(ALREADY_READ)
        applied = await apply_answer(
            uow,
            request.id,
            request.reference,
            request.attendee_id,
            RequestStatus(request.status),
            step,
            NewAnswer(
                received_at=item.received_at,
                by=f"staff:{manager}",
                auth=auth.value,
                sender_matches=sender_matches,
                message_id=item.message_id,
                email_sha256=None,
                phrase=uow.decrypt(item.text_enc, "review_items", "text", item.id),
            ),
            actor=manager,
            review_item=item.id,
            grace=SEND_GRACE,
        )
        await uow.commit()
    return ReplyRead(step.status, applied.extract_job)


ALREADY_READ = "Someone has already dealt with that email, so nothing was changed."


class RequestMovedOn(AnswerRefused):
    """The request's status changed between reading it and recording an answer."""


async def _open_reply(uow: UnitOfWork, request_id: str, item_id: str) -> ReviewItemRow:
    item = await uow.review_items.get(item_id)
    if item is None or item.legal_request_id != request_id or item.status != "open":
        raise AnswerRefused(ALREADY_READ)
    return item


async def set_reply_aside(store: Store, reference: str, item_id: str, manager: str) -> None:
    """The manager sets a reply aside: nothing is recorded from it; audited."""
    async with store.unit_of_work() as uow:
        request = await LegalRequests(uow).get(reference)
        item = await _open_reply(uow, request.id, item_id)
        if not await uow.review_items.resolve(item.id, "rejected", manager, uow.now()):
            raise AnswerRefused(ALREADY_READ)
        await uow.audit(
            AuditEvent(
                "review.rejected",
                actor=manager,
                subject_id=item.attendee_id or item.id,
                detail={"review_item": item.id, "legal_request": request.reference},
            )
        )
        await uow.commit()


ANSWER_ACTIONS = {
    RequestStatus.PERMISSION_GIVEN: "legal_request.permission_given",
    RequestStatus.PERMISSION_REFUSED: "legal_request.permission_refused",
}


@dataclass(frozen=True, slots=True)
class AnswerApplied:
    """The jobs an answer queued: the one sending the extract, if it is now to be sent, and the
    one sending the service user a receipt, if the answer moved the request on."""

    extract_job: str | None = None
    receipt_job: str | None = None


async def apply_answer(
    uow: UnitOfWork,
    request_id: str,
    reference: str,
    attendee_id: str,
    from_status: RequestStatus,
    step: Step,
    answer: NewAnswer,
    *,
    actor: str,
    review_item: str | None = None,
    grace: timedelta = timedelta(0),
    receipt_grace: timedelta = timedelta(0),
) -> AnswerApplied:
    """Record an answer's step on the request (if it changes its status), audit it, and queue
    the service user's receipt for it and, when the extract is now to be sent, the extract (due
    after `receipt_grace` and `grace`: whoever means to send them at once has that long).
    `RequestMovedOn` (nothing written) if the request no longer stands at `from_status`."""
    if step.status is None:
        return AnswerApplied()
    if not await LegalRequests(uow).record_answer(
        request_id, from_status.value, step.status.value, answer
    ):
        raise RequestMovedOn("The request changed meanwhile, so nothing was changed. Try again.")
    detail: dict[str, DetailValue] = {
        "reference": reference,
        "authentication": answer.auth,
        "sender_matches": answer.sender_matches,
    }
    if review_item is not None:
        detail["review_item"] = review_item
    await uow.audit(
        AuditEvent(ANSWER_ACTIONS[step.status], actor=actor, subject_id=attendee_id, detail=detail)
    )
    receipt = legal_receipt_job_key(request_id, step.status)
    await uow.jobs.schedule(receipt, LEGAL_RECEIPT, uow.now() + receipt_grace)
    if not step.sends_extract:
        return AnswerApplied(receipt_job=receipt)
    return AnswerApplied(await queue_extract(uow, request_id, grace), receipt)


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


class OverrideProblem(ValueError):
    """The safeguarding reason cannot be recorded; the message says why in plain words."""


def parse_reason(typed: str) -> str:
    """The safeguarding reason as typed, trimmed; `OverrideProblem` when it is empty or too
    long."""
    reason = typed.strip()
    if not reason:
        raise OverrideProblem(
            "Enter the safeguarding reason: why the information must be sent without the"
            " service user's permission."
        )
    if len(reason) > MAX_REASON:
        raise OverrideProblem(f"Enter at most {MAX_REASON} characters for the reason.")
    return reason


async def override_for_safeguarding(store: Store, reference: str, reason: str, manager: str) -> str:
    """The manager records a safeguarding reason to send without permission: the reason
    (sealed), audited as a safeguarding override (once for the request and once for each
    meeting it concerns, so each meeting's audit trail shows it) and the extract's job queued,
    in one transaction; the job's key. `OverrideProblem` when the extract is already being
    sent or was sent."""
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        request = await records.get(reference)
        status = RequestStatus(request.status)
        if not may_override(status) or not await records.record_safeguarding(
            request.id, status.value, RequestStatus.SAFEGUARDING.value, reason, manager
        ):
            raise OverrideProblem(
                "The extract is already being sent or was sent, so nothing was changed."
            )
        meetings = await records.meetings_by_reference(request.meeting_references)
        await uow.audit(
            AuditEvent(
                "legal_request.safeguarding_override",
                actor=manager,
                subject_id=request.attendee_id,
                detail={
                    "reference": request.reference,
                    "previous_status": status.value,
                    "meetings": len(meetings),
                },
            )
        )
        for meeting_id in meetings.values():
            await uow.audit(
                AuditEvent(
                    "legal_request.safeguarding_override_meeting",
                    actor=manager,
                    meeting_id=meeting_id,
                    subject_id=request.attendee_id,
                    detail={"reference": request.reference},
                )
            )
        key = await queue_extract(uow, request.id, SEND_GRACE)
        await uow.commit()
    return key
