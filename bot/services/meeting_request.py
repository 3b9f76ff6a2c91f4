"""What staff ask for when scheduling, checked before anything is created.

Pure: from plain strings (a form, the command line, a bulk file) to a `NewMeeting`, or every
problem found, in plain words. Times are UK local time (Europe/London), as staff give them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from consent_store.records import (
    IndividualNeeds,
    NewAttendee,
    NewDocument,
    NewMeeting,
    Supporter,
)
from domain.terms import AttendeeKind, DeclaredRole
from templates import UK_TIME

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_PERSON = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>]+)>\s*$")
_ROLES = {
    "support": DeclaredRole.SUPPORT,
    "support-and-contribute": DeclaredRole.SUPPORT_AND_CONTRIBUTE,
}
_KINDS = {
    "parent_carer": AttendeeKind.PARENT_CARER,
    "young_person": AttendeeKind.YOUNG_PERSON,
    "professional": AttendeeKind.PROFESSIONAL,
    "staff": AttendeeKind.STAFF,
}


@dataclass(frozen=True)
class PersonInput:
    """One person as typed: `Name <address>`, their kind, and an organisation if any."""

    text: str
    kind: str
    organisation: str | None = None


@dataclass(frozen=True)
class NeedsInput:
    """The service user's individual needs as typed: each box ticked, and what goes with it.
    What goes with a box left unticked is not kept."""

    joins_by_phone: bool = False
    easy_read: bool = False
    supporter: bool = False
    supporter_name: str = ""
    supporter_email: str = ""
    supporter_role: str = ""
    other_format: bool = False
    format_text: str = ""

    @property
    def any_ticked(self) -> bool:
        return self.joins_by_phone or self.easy_read or self.supporter or self.other_format


@dataclass(frozen=True)
class MeetingInput:
    title: str
    start: str
    end: str
    role: str
    recording_wanted: bool
    organiser_user_id: str
    people: tuple[PersonInput, ...]
    documents: tuple[tuple[str, str], ...] = field(default=())
    liaison: str = ""
    """The professionals or organisations to liaise with, as typed: one on each line."""
    needs: NeedsInput = NeedsInput()


MAX_ORGANISATIONS: Final = 10
MAX_NAME_CHARS: Final = 200


class LiaisonListRefused(ValueError):
    """The list staff typed cannot be kept; the message says why in plain words."""


def parse_organisations(text: str) -> tuple[str, ...]:
    """The organisations typed one per line, blank lines left out; `LiaisonListRefused` when
    one is too long, the list too long, or a name is given twice."""
    names = tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())
    if len(names) > MAX_ORGANISATIONS:
        raise LiaisonListRefused(
            f"Name at most {MAX_ORGANISATIONS} professionals or organisations, one on each line."
        )
    too_long = [name for name in names if len(name) > MAX_NAME_CHARS]
    if too_long:
        raise LiaisonListRefused(
            f"Each professional or organisation must be at most {MAX_NAME_CHARS} characters:"
            " write the organisation and role, for example “Northshire SEND team, SEND officer”."
        )
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise LiaisonListRefused(f"“{name}” is named twice: name each one once.")
        seen.add(name.casefold())
    return names


MAX_NEED_CHARS: Final = 200


@dataclass(frozen=True)
class NeedProblem:
    """A problem with the needs as typed, and the field it is about (the form's ids)."""

    field: str
    text: str


def needs_problems(needs: NeedsInput) -> list[NeedProblem]:
    """What is wrong with the needs as typed, each in plain words, in the form's order."""
    problems = []
    if needs.supporter:
        name, email = needs.supporter_name.strip(), needs.supporter_email.strip()
        role = " ".join(needs.supporter_role.split())
        if not name:
            problems.append(
                NeedProblem(
                    "needs-supporter-name",
                    "Enter the name of the interpreter or supporter, as Teams will show it.",
                )
            )
        elif len(name) > MAX_NEED_CHARS or _PERSON.match(f"{name} <x@y.z>") is None:
            problems.append(
                NeedProblem(
                    "needs-supporter-name",
                    f"Enter the interpreter or supporter's name in at most {MAX_NEED_CHARS}"
                    " characters, without < or >.",
                )
            )
        if not email:
            problems.append(
                NeedProblem(
                    "needs-supporter-email",
                    "Enter the email address of the interpreter or supporter: they are asked"
                    " for consent too.",
                )
            )
        elif _EMAIL.match(email) is None:
            problems.append(
                NeedProblem(
                    "needs-supporter-email",
                    "Enter the email address of the interpreter or supporter in the right form,"
                    " like name@example.org.",
                )
            )
        if not role:
            problems.append(
                NeedProblem(
                    "needs-supporter-role",
                    "Enter the interpreter or supporter's role, for example"
                    " “British Sign Language interpreter”.",
                )
            )
        elif len(role) > MAX_NEED_CHARS:
            problems.append(
                NeedProblem(
                    "needs-supporter-role",
                    f"The interpreter or supporter's role must be at most {MAX_NEED_CHARS}"
                    " characters.",
                )
            )
    if needs.other_format:
        text = " ".join(needs.format_text.split())
        if not text:
            problems.append(
                NeedProblem(
                    "needs-format-text",
                    "Enter the format the documents are needed in, for example “large print,"
                    " 18 point”.",
                )
            )
        elif len(text) > MAX_NEED_CHARS:
            problems.append(
                NeedProblem(
                    "needs-format-text",
                    f"The format for the documents must be at most {MAX_NEED_CHARS} characters.",
                )
            )
    return problems


def _needs(needs: NeedsInput) -> tuple[IndividualNeeds, NewAttendee | None]:
    """The needs to keep and the supporter to invite (needs already checked)."""
    supporter = None
    if needs.supporter:
        supporter = NewAttendee(
            needs.supporter_name.strip(), needs.supporter_email.strip(), AttendeeKind.PROFESSIONAL
        )
    return (
        IndividualNeeds(
            joins_by_phone=needs.joins_by_phone,
            easy_read=needs.easy_read,
            other_format=" ".join(needs.format_text.split()) if needs.other_format else None,
            supporter=(
                Supporter(supporter.email, " ".join(needs.supporter_role.split()))
                if supporter
                else None
            ),
        ),
        supporter,
    )


class InvalidMeeting(ValueError):
    """The request cannot be scheduled; `problems` says why, each in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _uk_time(text: str, what: str, problems: list[str]) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"The {what} time {text!r} is not a date and time like 2026-12-01 10:00.")
        return None
    return parsed.replace(tzinfo=UK_TIME) if parsed.tzinfo is None else parsed


def parse_meeting(request: MeetingInput, now: datetime) -> NewMeeting:
    """The meeting to schedule, or `InvalidMeeting` listing every problem."""
    problems: list[str] = []
    title = request.title.strip()
    if not title:
        problems.append("Give the meeting a title.")
    starts_at = _uk_time(request.start, "start", problems)
    ends_at = _uk_time(request.end, "end", problems)
    if starts_at and ends_at:
        if ends_at <= starts_at:
            problems.append("The meeting must end after it starts.")
        elif ends_at - starts_at > timedelta(hours=8):
            problems.append("A meeting can be at most 8 hours long.")
        if starts_at <= now:
            problems.append("The start time has already passed.")
    role = _ROLES.get(request.role)
    if role is None:
        problems.append("Choose the role: support, or support and contribute.")
    attendees: list[NewAttendee] = []
    seen: set[str] = set()
    for person in request.people:
        match = _PERSON.match(person.text)
        kind = _KINDS.get(person.kind)
        if match is None or not _EMAIL.match(match["email"].strip()):
            problems.append(f"{person.text!r} should look like: Name <name@example.org>.")
            continue
        if kind is None:
            problems.append(f"{person.text!r} has an unknown kind {person.kind!r}.")
            continue
        email = match["email"].strip()
        if email.lower() in seen:
            problems.append(f"{email} is listed twice.")
            continue
        seen.add(email.lower())
        attendees.append(NewAttendee(match["name"].strip(), email, kind, person.organisation))
    needs_found = needs_problems(request.needs)
    problems += [problem.text for problem in needs_found]
    needs, supporter = _needs(request.needs)
    if supporter is not None and not needs_found:
        if supporter.email.lower() in seen:
            problems.append(
                f"{supporter.email} is listed twice: the interpreter or supporter is invited"
                " from the individual needs, so take them out of the other rows."
            )
        else:
            attendees.append(supporter)
    if not any(a.kind.is_service_user for a in attendees):
        problems.append(
            "Add at least one parent carer or young person: meetings are arranged on their behalf."
        )
    documents = []
    for doc_title, url in request.documents:
        if not doc_title.strip() or not url.strip().startswith("https://"):
            problems.append(f"Document {doc_title!r} needs a title and an https link.")
        else:
            documents.append(NewDocument(doc_title.strip(), url.strip()))
    liaison: tuple[str, ...] = ()
    try:
        liaison = parse_organisations(request.liaison)
    except LiaisonListRefused as refused:
        problems.append(str(refused))
    if problems or starts_at is None or ends_at is None or role is None:
        raise InvalidMeeting(problems)
    return NewMeeting(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        organiser_user_id=request.organiser_user_id,
        declared_role=role,
        recording_requested=request.recording_wanted,
        attendees=tuple(attendees),
        documents=tuple(documents),
        liaison=liaison,
        needs=needs,
    )
