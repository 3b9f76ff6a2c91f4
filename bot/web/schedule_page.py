"""The scheduling form (`/tab/meetings/new`): the signed-in staff member arranges a meeting
with service users and other attendees, and may name the professionals or organisations they
would like to liaise with (the service users are asked with the consent request).

`meeting_form.parse_form` turns the form's fields into a `MeetingInput`; `parse_meeting` checks it
and `schedule_meeting` creates it in Teams (recording off), in the store and by email. When
anything stops it, the form is shown again with what was typed kept, every problem in a summary
at the top (focused) and beside its field; on success the browser is redirected to the
meeting's page, which says it was scheduled. "Add another ..." buttons send the form back with
one more empty row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from aiohttp import web

from bot.config import Settings
from bot.services.meeting_request import InvalidMeeting, parse_meeting
from bot.services.scheduling import ScheduledMeeting, SchedulingFailed, schedule_meeting
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.meeting_form import (
    Problem,
    adding_row,
    form_choices,
    form_problems,
    parse_form,
    problem_links,
)
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import GRAPH_FAILURE_ADVICE

SCHEDULE_PATH = "/tab/meetings/new"
TEAMS_REFUSED = (
    "Microsoft Teams did not create the meeting (the reason is in the bot's log). "
    + GRAPH_FAILURE_ADVICE
)
NOT_CONNECTED = (
    "Scheduling is not available: the bot is not connected to Microsoft 365 at the moment, "
    "so Teams cannot create the meeting."
)


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
