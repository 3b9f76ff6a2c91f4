"""The service user's answer to a request for permission, recorded (issue 17): `apply_answer`
for the consent intake's reading of a reply and for the manager's (`read_reply`: permission
only from a trustworthy email), in one transaction with its audit, the receipt's job and, when
the extract may now be sent, the extract's; or a reply the manager sets aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.policy.legal_permission import NotRecordable, RequestStatus, Step, confirmed_step
from bot.services.legal_extracts import SEND_GRACE, queue_extract
from bot.services.legal_receipts import LEGAL_RECEIPT, legal_receipt_job_key
from consent_store.audit import AuditEvent, DetailValue
from consent_store.legal_request_records import NewAnswer
from consent_store.legal_requests import LegalRequests
from consent_store.stored import ReviewItemRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AuthVerdict


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
