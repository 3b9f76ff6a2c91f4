"""Requests for information for legal reasons (issue 17), and staff logging one.

Policy: "If the SEND IAS service receives a request for information from local authority
officers for legal reasons, for example judicial review, this will be considered by the service
manager. They may, with the permission of the child, young person, or parent carer, direct that
the relevant information be extracted from the file and sent to the relevant officer, with a
copy to the parent carers."

Staff log a request (here): who asked (name and address), the legal basis, the meetings it
concerns and the service user whose information it is (by the address they were invited at,
which must be a parent carer's or young person's invited to every one of those meetings). Only
the service manager decides (`legal_request_decisions`): refuse, or ask the service user's
permission by email in plain words.

Their answer is read by the consent intake (`consent_intake`) with the careful rule of
`bot.policy.legal_permission` and recorded by `legal_answers`, with the service user's receipt
(`legal_receipts`); an unclear one waits in the review queue for the manager to read on the
request's page. With their permission the extract (`consent_store.legal_extract`: the chosen
meetings' decisions and notes about them, nothing about anyone else) is emailed to the officer
with the service user in copy, by a job written in the same transaction as the answer
(`legal_extracts`); its SHA-256 is kept. Refused or unanswered, nothing is sent. The manager
may instead record a safeguarding reason to send without permission: then the officer alone
gets it (a copy to the family could put a child at risk).

Every step is audited with pseudonymous ids only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from consent_store.audit import AuditEvent
from consent_store.legal_request_records import NewLegalRequest, ServiceUserInvitation
from consent_store.legal_requests import LegalRequests
from consent_store.unit_of_work import Store

MAX_NAME: Final = 200
MAX_BASIS: Final = 2000
MAX_MEETINGS: Final = 20
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
