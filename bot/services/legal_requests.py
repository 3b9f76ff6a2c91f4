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
Every step is audited with pseudonymous ids only.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from bot.config import ServiceProfile
from bot.mail.consent_request import describe_when
from bot.ports.mail import Mailbox, OutgoingEmail
from consent_store.audit import AuditEvent
from consent_store.legal_requests import LegalRequests, NewLegalRequest
from consent_store.unit_of_work import Store
from templates import environment

MAX_NAME: Final = 200
MAX_BASIS: Final = 2000
MAX_MEETINGS: Final = 20
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+$")
_REFERENCE_SPLIT = re.compile(r"[\s,;]+")
FIELDS: Final = ("officer_name", "officer_email", "basis", "meetings", "service_user_email")


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
        problems["meetings"] = "Enter the reference of at least one meeting the request is about."
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


async def log_legal_request(store: Store, request: LegalRequestInput, actor: str) -> str:
    """Keep the request (status "logged") and audit it; its reference. `LegalRequestProblems`
    for meetings we do not hold or an address not invited to all of them: nothing is kept."""
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        meetings = await records.meetings_by_reference(request.meeting_references)
        unknown = [r for r in request.meeting_references if r not in meetings]
        if unknown:
            raise LegalRequestProblems(
                {"meetings": f"No meeting has the reference {', '.join(unknown)}."}
            )
        invited = await records.service_user_invited_to(
            list(meetings.values()), request.service_user_email
        )
        if set(invited) != set(meetings.values()) or len(set(invited.values())) != 1:
            raise LegalRequestProblems(
                {
                    "service_user_email": "That address is not a parent carer or young person"
                    " invited to every meeting named. Check the address and the meetings."
                }
            )
        (attendee_id,) = set(invited.values())
        reference = await records.add(
            NewLegalRequest(
                officer_name=request.officer_name,
                officer_email=request.officer_email,
                basis=request.basis,
                attendee_id=attendee_id,
                meeting_ids=tuple(meetings.values()),
                logged_by=actor,
            )
        )
        await uow.audit(
            AuditEvent(
                "legal_request.logged",
                actor=actor,
                subject_id=attendee_id,
                detail={"reference": reference, "meetings": len(meetings)},
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


async def ask_permission(
    store: Store,
    mailbox: Mailbox,
    service: ServiceProfile,
    reference: str,
    manager: str,
) -> None:
    """Email the service user, in plain words, who asked, why, what would be sent and that
    they may say no; recorded (with the email's hash) once the mailbox accepted it."""
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
