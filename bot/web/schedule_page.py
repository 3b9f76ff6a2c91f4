"""The scheduling form (`/tab/meetings/new`): the signed-in staff member arranges a meeting
with service users and other attendees, and may name the professionals or organisations they
would like to liaise with (the service users are asked with the consent request).

`parse_form` turns the form's fields into a `MeetingInput` (pure); `parse_meeting` checks it
and `schedule_meeting` creates it in Teams (recording off), in the store and by email. When
anything stops it, the form is shown again with what was typed kept, every problem in a summary
at the top (focused) and beside its field; on success the browser is redirected to the
meeting's page, which says it was scheduled. "Add another ..." buttons send the form back with
one more empty row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from bot.config import Settings
from bot.services.meeting_request import InvalidMeeting, MeetingInput, PersonInput, parse_meeting
from bot.services.scheduling import ScheduledMeeting, SchedulingFailed, schedule_meeting
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.error_pages import GRAPH_FAILURE_ADVICE
from bot.web.meeting_form import (
    Problem,
    adding_row,
    errors_by_field,
    filled_rows,
    form_problems,
    needs_input,
    row_numbers,
)
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE

SCHEDULE_PATH = "/tab/meetings/new"
ROLES = {"support": "Support", "support-and-contribute": "Support and contribute"}
SERVICE_USER_KINDS = {"parent_carer": "Parent carer", "young_person": "Young person"}
ATTENDEE_KINDS = {"professional": "Professional", "staff": "IASS staff"}


def form_choices(values: Mapping[str, str], problems: Sequence[Problem] = ()) -> dict[str, object]:
    """What the meeting form offers, for the scheduling and the editing page alike: the
    choices, the rows to show, and each field's problem to show beside it."""
    return {
        "roles": ROLES,
        "service_user_kinds": SERVICE_USER_KINDS,
        "attendee_kinds": ATTENDEE_KINDS,
        "service_user_rows": row_numbers(values, "su"),
        "attendee_rows": row_numbers(values, "at"),
        "document_rows": row_numbers(values, "doc"),
        "errors": errors_by_field(list(problems)),
        "needs_open": needs_input(values).any_ticked
        or any(p.field.startswith("needs-") for p in problems),
    }


TEAMS_REFUSED = (
    "Microsoft Teams did not create the meeting (the reason is in the bot's log). "
    + GRAPH_FAILURE_ADVICE
)
NOT_CONNECTED = (
    "Scheduling is not available: the bot is not connected to Microsoft 365 at the moment, "
    "so Teams cannot create the meeting."
)


@dataclass(frozen=True)
class PersonRow:
    """A filled-in row of people: the id prefix of its fields, and the person as typed."""

    prefix: str
    person: PersonInput


def _value(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "").strip()


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
    rows += [_row(form, f"at-{n}", ATTENDEE_KINDS) for n in filled_rows(form, "at")]
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


def meeting_path(scheduled: ScheduledMeeting) -> str:
    """The new meeting's page with the "scheduled" banner, flagged when something after
    creating it needs attention."""
    query = {"done": "scheduled"}
    if scheduled.needs_attention:
        query["attention"] = scheduled.needs_attention
    return f"/tab/meetings/{scheduled.reference}?{urlencode(query)}"


def _settings(request: web.Request) -> Settings:
    return request.config_dict[SETTINGS_KEY]


def _form_page(
    request: web.Request,
    values: Mapping[str, str],
    *,
    status: int = 200,
    problems: Sequence[Problem] = (),
    not_scheduled: str | None = None,
) -> web.Response:
    return page(
        request,
        "schedule.html.j2",
        status=status,
        values=values,
        problems=problems,
        not_scheduled=not_scheduled,
        **form_choices(values, problems),
    )


async def new_meeting_form(request: web.Request) -> web.Response:
    return _form_page(request, {})


async def schedule(request: web.Request) -> web.Response:
    staff = request[STAFF_SESSION]
    site = request.config_dict[STAFF_SITE]
    form = {name: value for name, value in (await request.post()).items() if isinstance(value, str)}
    if adding_row(form):
        return _form_page(request, form)
    problems = form_problems(form, needs_service_user=True)
    if problems:
        return _form_page(request, form, status=400, problems=problems)
    try:
        meeting = parse_meeting(parse_form(form, staff.object_id), site.clock())
    except InvalidMeeting as invalid:
        return _form_page(request, form, status=400, problems=problem_links(invalid.problems, form))
    clients = request.config_dict[TENANT_ACCESS].clients
    if clients is None:
        return _form_page(request, form, status=503, not_scheduled=NOT_CONNECTED)
    settings = _settings(request)
    try:
        scheduled = await schedule_meeting(
            site.store,
            clients.meetings,
            clients.mailbox,
            settings.service,
            meeting,
            staff.display_name,
            settings.reminder_hours,
        )
    except SchedulingFailed:
        return _form_page(request, form, status=502, not_scheduled=TEAMS_REFUSED)
    raise web.HTTPSeeOther(meeting_path(scheduled))
