"""The service manager's decision on a logged legal request (issue 17): refuse it, ask the
service user's permission by email in plain words (refused, and audited, once the request's
information or any of its meetings' was disposed of, or the service user's name or address is
no longer kept), or record a safeguarding reason to send the extract without permission.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Final

from bot.config import ServiceProfile
from bot.mail.consent_request import describe_when
from bot.policy.legal_permission import NotAskable, RequestStatus, may_override, why_not_askable
from bot.ports.mail import Mailbox, OutgoingEmail
from bot.services.legal_extracts import SEND_GRACE, queue_extract
from consent_store.audit import AuditEvent
from consent_store.legal_request_records import LegalRequest
from consent_store.legal_requests import LegalRequests
from consent_store.unit_of_work import Store
from templates import environment

MAX_REASON: Final = 2000


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
