"""What the meeting room's forms do: open a meeting's room (from the index by onlineMeeting
id, or from the page), start the meeting, admit an invitee or a stranger, start and stop
recording, admit the bot from the lobby, write to the bot (an @mention) or press a button on
its latest card as someone present, post a file as a member of staff, and end the meeting,
each through `app[TEAMS]` (the `MeetingDriver` the control API uses) and back to the room
with a notice of what happened, Teams' refusals included.

The organiser's meeting options change the onlineMeeting's `allowRecording`,
`allowTranscription`, `recordAutomatically`, `lobbyBypassSettings.scope` and
`allowedPresenters` through the same validation as a Graph PATCH (`change_online_meeting`).

And Teams' join link, opened on the sandbox's origin, leads to the meeting's room."""

from __future__ import annotations

from aiohttp import web

from sandbox.app_keys import TEAMS, TENANT
from sandbox.control.meeting_room_view import latest_card_actions
from sandbox.control.page_forms import FormFields
from sandbox.control.page_style import see_other
from sandbox.graph.errors import GraphError
from sandbox.graph.online_meetings import change_online_meeting
from sandbox.public_urls import public_url
from sandbox.teams.bot_channel import ActivityDelivery
from sandbox.teams.meeting_driver import MeetingDriver
from sandbox.teams.meeting_outcomes import MeetingActionError

CONTROL_APP = web.AppKey("sandbox_control_app", web.Application)


def _driver(request: web.Request) -> MeetingDriver:
    """The Teams driver, with `tenant.sandbox_url` filled in from this request if unset (as
    the control API does), so activities can name the Bot Connector."""
    tenant = request.config_dict[TENANT]
    if tenant.sandbox_url is None:
        tenant.sandbox_url = public_url(request, "sandbox-index").removesuffix("/sandbox/")
    return request.config_dict[TEAMS]


def _told_bot(delivery: ActivityDelivery) -> str:
    return f" The bot: {delivery.outcome}."


def _back(request: web.Request, notice: str) -> web.HTTPSeeOther:
    return see_other(request, "sandbox-meeting", notice, meeting=request.match_info["meeting"])


async def open_by_id(request: web.Request) -> web.Response:
    """From the index: the room of the onlineMeeting whose id was typed in."""
    meeting_id = (await FormFields.of(request)).text("onlineMeetingId").strip()
    try:
        _driver(request).create(meeting_id)
    except MeetingActionError as error:
        raise see_other(request, "sandbox-index", error.message) from error
    raise see_other(request, "sandbox-meeting", "The meeting room is open.", meeting=meeting_id)


async def create_room(request: web.Request) -> web.Response:
    try:
        _driver(request).create(request.match_info["meeting"])
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    raise _back(request, "The meeting room is open.")


async def start(request: web.Request) -> web.Response:
    try:
        admission = await _driver(request).start(request.match_info["meeting"])
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    name = admission.attendance.account.name
    raise _back(request, f"The meeting started; {name} joined.{_told_bot(admission.delivery)}")


async def admit(request: web.Request) -> web.Response:
    fields = await FormFields.of(request)
    try:
        admission = await _driver(request).admit(
            request.match_info["meeting"],
            fields.text("user") or None,
            anonymous_name=fields.text("anonymousName").strip() or None,
        )
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    account = admission.attendance.account
    told = _told_bot(admission.delivery)
    raise _back(request, f"{account.name} joined as {admission.attendance.role}.{told}")


async def record(request: web.Request) -> web.Response:
    fields = await FormFields.of(request)
    driver = _driver(request)
    meeting_id = request.match_info["meeting"]
    try:
        if fields.text("action") == "stop":
            driver.stop_recording(meeting_id, fields.text("by"))
            notice = "Recording stopped."
        else:
            driver.start_recording(meeting_id, fields.text("by"))
            notice = "Recording started."
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    raise _back(request, notice)


async def change_options(request: web.Request) -> web.Response:
    """The organiser saves the meeting options: the onlineMeeting's settings change as a
    Graph PATCH would change them, or not at all when Graph would refuse the values."""
    tenant = request.config_dict[TENANT]
    online_meeting = tenant.meetings.get(request.match_info["meeting"])
    if online_meeting is None:
        raise web.HTTPNotFound(text="No onlineMeeting has that id.")
    fields = await FormFields.of(request)
    try:
        change_online_meeting(
            tenant,
            online_meeting,
            {
                "allowRecording": fields.checked("allowRecording"),
                "allowTranscription": fields.checked("allowTranscription"),
                "recordAutomatically": fields.checked("recordAutomatically"),
                "lobbyBypassSettings": {"scope": fields.text("lobbyScope")},
                "allowedPresenters": fields.text("allowedPresenters"),
            },
        )
    except GraphError as error:
        raise _back(request, f"Teams did not save the meeting options: {error.message}") from error
    raise _back(request, "The meeting options were saved.")


async def post_file(request: web.Request) -> web.Response:
    fields = await FormFields.of(request)
    try:
        posted = await _driver(request).post_file(
            request.match_info["meeting"],
            fields.text("from"),
            fields.text("name").strip() or "file.txt",
            fields.text("content").encode(),
            "text/plain",
            fields.text("text"),
        )
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    raise _back(request, f"Posted {posted.item.name} in the chat.{_told_bot(posted.delivery)}")


async def admit_bot(request: web.Request) -> web.Response:
    try:
        _driver(request).admit_bot(request.match_info["meeting"])
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    raise _back(request, "The bot was admitted from the lobby.")


async def mention_bot(request: web.Request) -> web.Response:
    fields = await FormFields.of(request)
    try:
        delivery = await _driver(request).say(
            request.match_info["meeting"],
            fields.text("from"),
            fields.text("text"),
            mention_bot=True,
        )
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    raise _back(request, f"Sent to the bot.{_told_bot(delivery)}")


async def press_card_button(request: web.Request) -> web.Response:
    fields = await FormFields.of(request)
    meeting_id = request.match_info["meeting"]
    driver = _driver(request)
    meeting = request.config_dict[TENANT].live_meetings.get(meeting_id)
    actions = [] if meeting is None else latest_card_actions(request.config_dict[TENANT], meeting)
    button = fields.text("button")
    index = int(button) if button.isdigit() else -1
    if not 0 <= index < len(actions):
        raise _back(request, "That button is not on the bot's latest card.")
    try:
        delivery = await driver.press_card_button(
            meeting_id, fields.text("from"), dict(actions[index].get("data") or {})
        )
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    raise _back(request, f"Pressed “{actions[index].get('title')}”.{_told_bot(delivery)}")


async def end(request: web.Request) -> web.Response:
    try:
        delivery = await _driver(request).end(request.match_info["meeting"])
    except MeetingActionError as error:
        raise _back(request, error.message) from error
    raise _back(request, f"The meeting ended.{_told_bot(delivery)}")


async def join_link(request: web.Request) -> web.Response:
    """A Teams join link (`/l/meetup-join/{thread id}/0?context=...`, the path of an
    onlineMeeting's joinWebUrl) opened on the sandbox's origin: the room of the meeting whose
    chat thread it names."""
    tenant = request.config_dict[TENANT]
    chat = tenant.chats.get(request.match_info["thread"])
    if chat is None or chat.online_meeting_id is None:
        raise web.HTTPNotFound(
            text="No meeting in this sandbox has that join link. The sandbox starts empty "
            "each time make run starts; schedule the meeting again.",
        )
    control = request.app[CONTROL_APP]
    room = control.router["sandbox-meeting"].url_for(meeting=chat.online_meeting_id)
    raise web.HTTPFound(location=room)


def add_join_link_route(app: web.Application, control: web.Application) -> None:
    """On the sandbox's root: Teams' join-link path, leading to the meeting's room on the
    `control` sub-application."""
    app[CONTROL_APP] = control
    app.router.add_get("/l/meetup-join/{thread}/{message}", join_link, name="teams-join-link")
