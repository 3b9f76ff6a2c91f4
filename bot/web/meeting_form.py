"""The meeting form, scheduling and editing alike: what it offers (`form_choices`), what it
checks before the meeting itself is checked, how many rows of people and documents it shows,
and its fields read as a `MeetingInput` (`parse_form`, pure) with the meeting's problems linked
back to their fields (`problem_links`).

Each problem found here names its field and the fix, once: a row with a badly written email
address is reported on that address only (not also as "add a parent carer"), and a document
with a wrong link on its link only. Rows grow one at a time ("Add another ..."), so the form
starts with one empty row in each group instead of ten."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.meeting_request import (
    LiaisonListRefused,
    MeetingInput,
    NeedsInput,
    PersonInput,
    needs_problems,
    parse_organisations,
)
from bot.web.wording import OTHER_ATTENDEE_KINDS, ROLE_WORDS, SERVICE_USER_KINDS
from domain.terms import DeclaredRole

MAX_ROWS = 30
GROUPS = ("su", "at", "doc")
GROUP_FIELDS = {
    "su": ("name", "email"),
    "at": ("name", "email", "organisation"),
    "doc": ("title", "url"),
}
ROW_WORDS = {"su": "service user", "at": "attendee", "doc": "document"}
ROLES = {
    "support": ROLE_WORDS[DeclaredRole.SUPPORT],
    "support-and-contribute": ROLE_WORDS[DeclaredRole.SUPPORT_AND_CONTRIBUTE],
}
"""The role's radio buttons: each form value and its words."""
ADD_FIELD = "add"
_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


@dataclass(frozen=True)
class Problem:
    """A problem in plain words, and the id of the field to fix it in."""

    text: str
    field: str


def _value(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "").strip()


def filled(form: Mapping[str, str], group: str, n: int) -> bool:
    return any(_value(form, f"{group}-{n}-{part}") for part in GROUP_FIELDS[group])


def filled_rows(form: Mapping[str, str], group: str) -> list[int]:
    """The numbers of the rows of `group` with anything typed in them."""
    return [n for n in range(1, MAX_ROWS + 1) if filled(form, group, n)]


def row_numbers(form: Mapping[str, str], group: str, *, empty_row: bool = True) -> list[int]:
    """The rows of `group` to show: those typed in, then an empty one when asked for with
    "Add another" (or when the group has none yet and `empty_row`)."""
    rows = filled_rows(form, group)
    wants_more = _value(form, ADD_FIELD) == group or (empty_row and not rows)
    if wants_more and len(rows) < MAX_ROWS:
        rows.append(max(rows, default=0) + 1)
    return rows


def adding_row(form: Mapping[str, str]) -> bool:
    """Whether the form was sent with an "Add another" button rather than to be saved."""
    return _value(form, ADD_FIELD) in GROUPS


def _time_problems(form: Mapping[str, str]) -> list[Problem]:
    problems = []
    start = _value(form, "start")
    if not start:
        problems.append(Problem("Enter the date and time the meeting starts.", "start"))
    else:
        try:
            datetime.fromisoformat(start)
        except ValueError:
            problems.append(
                Problem(
                    "Enter the start as a date and a time, for example 1 December 2026 at 10:00.",
                    "start",
                )
            )
    end = _value(form, "end")
    if not end:
        problems.append(Problem("Enter the time the meeting ends, for example 11:00.", "end"))
    elif re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?", end) is None:
        problems.append(Problem("Enter the end as a time of day, for example 11:00.", "end"))
    return problems


def _person_problems(form: Mapping[str, str], group: str, n: int) -> list[Problem]:
    prefix = f"{group}-{n}"
    who = f"{ROW_WORDS[group]} {n}"
    name, email = _value(form, f"{prefix}-name"), _value(form, f"{prefix}-email")
    problems = []
    if not name:
        problems.append(Problem(f"Enter the name of {who}.", f"{prefix}-name"))
    if not email:
        problems.append(
            Problem(f"Enter the email address of {who}{_called(name)}.", f"{prefix}-email")
        )
    elif _EMAIL.fullmatch(email) is None:
        problems.append(
            Problem(
                f"Enter the email address of {who}{_called(name)} in the right form, "
                "like name@example.org.",
                f"{prefix}-email",
            )
        )
    return problems


def _called(name: str) -> str:
    return f" ({name})" if name else ""


def _document_problems(form: Mapping[str, str], n: int) -> list[Problem]:
    prefix = f"doc-{n}"
    title, url = _value(form, f"{prefix}-title"), _value(form, f"{prefix}-url")
    problems = []
    if not title:
        problems.append(Problem(f"Enter the title of document {n}.", f"{prefix}-title"))
    if not url:
        problems.append(
            Problem(f"Enter the link to document {n}{_called(title)}.", f"{prefix}-url")
        )
    elif not url.startswith("https://"):
        problems.append(
            Problem(
                f"The link to document {n}{_called(title)} must start with https://",
                f"{prefix}-url",
            )
        )
    return problems


def form_problems(form: Mapping[str, str], *, needs_service_user: bool) -> list[Problem]:
    """Every problem in the fields as typed, in the order of the form, each once. With
    `needs_service_user`, a form with no service user row at all is told to add one."""
    problems = []
    if not _value(form, "title"):
        problems.append(Problem("Enter the meeting title.", "title"))
    problems += _time_problems(form)
    if _value(form, "role") not in ROLES:
        problems.append(
            Problem("Choose your role: support, or support and contribute.", "role-support")
        )
    service_users = filled_rows(form, "su")
    if needs_service_user and not service_users:
        problems.append(
            Problem(
                "Add a parent carer or young person (service user 1): the meeting is "
                "arranged on their behalf.",
                "su-1-name",
            )
        )
    for n in service_users:
        problems += _person_problems(form, "su", n)
    for n in filled_rows(form, "at"):
        problems += _person_problems(form, "at", n)
    for n in filled_rows(form, "doc"):
        problems += _document_problems(form, n)
    try:
        parse_organisations(form.get("liaison", ""))
    except LiaisonListRefused as refused:
        problems.append(Problem(str(refused), "liaison"))
    problems += [Problem(p.text, p.field) for p in needs_problems(needs_input(form))]
    return problems


def needs_input(form: Mapping[str, str]) -> NeedsInput:
    """The individual needs section as typed (`needs-…` fields)."""
    return NeedsInput(
        joins_by_phone=form.get("needs-phone") == "yes",
        easy_read=form.get("needs-easy-read") == "yes",
        supporter=form.get("needs-supporter") == "yes",
        supporter_name=_value(form, "needs-supporter-name"),
        supporter_email=_value(form, "needs-supporter-email"),
        supporter_role=_value(form, "needs-supporter-role"),
        other_format=form.get("needs-format") == "yes",
        format_text=_value(form, "needs-format-text"),
    )


def errors_by_field(problems: list[Problem]) -> dict[str, str]:
    """Each field's message, for showing beside it."""
    return {problem.field: problem.text for problem in problems}


def form_choices(values: Mapping[str, str], problems: Sequence[Problem] = ()) -> dict[str, object]:
    """What the meeting form offers, for the scheduling and the editing page alike: the
    choices, the rows to show, and each field's problem to show beside it."""
    return {
        "roles": ROLES,
        "service_user_kinds": SERVICE_USER_KINDS,
        "attendee_kinds": OTHER_ATTENDEE_KINDS,
        "service_user_rows": row_numbers(values, "su"),
        "attendee_rows": row_numbers(values, "at"),
        "document_rows": row_numbers(values, "doc"),
        "errors": errors_by_field(list(problems)),
        "needs_open": needs_input(values).any_ticked
        or any(p.field.startswith("needs-") for p in problems),
    }


@dataclass(frozen=True)
class PersonRow:
    """A filled-in row of people: the id prefix of its fields, and the person as typed."""

    prefix: str
    person: PersonInput


def _row(form: Mapping[str, str], prefix: str, kinds: Mapping[str, str]) -> PersonRow | None:
    name, email = _value(form, f"{prefix}-name"), _value(form, f"{prefix}-email")
    organisation = _value(form, f"{prefix}-organisation")
    if not (name or email or organisation):
        return None
    kind = _value(form, f"{prefix}-kind")
    return PersonRow(
        prefix,
        PersonInput(f"{name} <{email}>", kind if kind in kinds else "", organisation or None),
    )


def person_rows(form: Mapping[str, str]) -> list[PersonRow]:
    """The filled-in rows of service users, then of other attendees; blank rows are left out."""
    rows = [_row(form, f"su-{n}", SERVICE_USER_KINDS) for n in filled_rows(form, "su")]
    rows += [_row(form, f"at-{n}", OTHER_ATTENDEE_KINDS) for n in filled_rows(form, "at")]
    return [row for row in rows if row is not None]


def document_rows(form: Mapping[str, str]) -> list[tuple[int, tuple[str, str]]]:
    """The filled-in document rows, numbered, as (title, link)."""
    return [
        (n, (_value(form, f"doc-{n}-title"), _value(form, f"doc-{n}-url")))
        for n in filled_rows(form, "doc")
    ]


def _uk_time(value: str) -> str:
    """A `datetime-local` value (2026-12-01T10:00) as MeetingInput's 2026-12-01 10:00."""
    return value.replace("T", " ", 1)


def parse_form(form: Mapping[str, str], organiser_user_id: str) -> MeetingInput:
    """The form as a meeting request; the end is a time on the start's day."""
    start = _uk_time(_value(form, "start"))
    end = _value(form, "end")
    day, has_time, _ = start.partition(" ")
    return MeetingInput(
        title=_value(form, "title"),
        start=start,
        end=f"{day} {end}" if has_time and end else end,
        role=_value(form, "role"),
        recording_wanted=form.get("record") == "yes",
        organiser_user_id=organiser_user_id,
        people=tuple(row.person for row in person_rows(form)),
        documents=tuple(document for _, document in document_rows(form)),
        liaison=form.get("liaison", ""),
        needs=needs_input(form),
    )


_FIELD_BY_WORDS = (
    ("interpreter or supporter's role", "needs-supporter-role"),
    ("name of the interpreter", "needs-supporter-name"),
    ("interpreter or supporter's name", "needs-supporter-name"),
    ("interpreter or supporter", "needs-supporter-email"),
    ("format", "needs-format-text"),
    ("named twice", "liaison"),
    ("professional", "liaison"),
    ("must end", "end"),
    ("8 hours", "end"),
    ("start time", "start"),
    ("end time", "end"),
    ("title", "title"),
    ("role", "role-support"),
    ("parent carer or young person", "su-1-name"),
)


def _field_of(problem: str, form: Mapping[str, str]) -> str:
    for n, (title, _) in document_rows(form):
        if problem.startswith(f"Document {title!r} "):
            return f"doc-{n}-title"
    for row in reversed(person_rows(form)):
        if problem.startswith(repr(row.person.text)):
            return f"{row.prefix}-name"
        if problem.startswith(f"{_value(form, f'{row.prefix}-email')} is listed twice"):
            return f"{row.prefix}-email"
    words = problem.lower()
    return next((field for says, field in _FIELD_BY_WORDS if says in words), "title")


def problem_links(problems: Sequence[str], form: Mapping[str, str]) -> list[Problem]:
    """Each problem with the field it is about, for the error summary's links and to show
    beside the field; a problem said twice is shown once."""
    return [Problem(text, _field_of(text, form)) for text in dict.fromkeys(problems)]
