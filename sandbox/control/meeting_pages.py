"""The meeting room page: one live meeting as the people in it see it, and the buttons they
press. It shows the onlineMeeting's subject, times and recording and transcription settings
as Teams has them now, the participants (in the meeting or not, recording or not), the bot's
calls and the prompts played, and the meeting chat as text (cards as their TextBlock and
TextRun texts, never as HTML). Its forms start the meeting, admit an invitee or a stranger,
start and stop recording, admit the bot from the lobby, write to the bot (an @mention) or
press a button on its latest card as someone present, post a file as a member of staff, and
end the meeting, each through
`app[TEAMS]` (the `MeetingDriver` the control API uses) and back to the room with a notice of
what happened, Teams' refusals included. A meeting not live yet offers to open its room.

Before and during the meeting its organiser can change the meeting options, as in Teams:
whether recording and transcription are allowed, whether it records automatically, who
bypasses the lobby and who presents. The form changes the onlineMeeting's `allowRecording`,
`allowTranscription`, `recordAutomatically`, `lobbyBypassSettings.scope` and
`allowedPresenters` through the same validation as a Graph PATCH (`change_online_meeting`)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from aiohttp import web

from sandbox.app_keys import TEAMS, TENANT
from sandbox.control.card_text import card_lines
from sandbox.control.page_forms import (
    FormFields,
    checkbox,
    form,
    hidden,
    select,
    text_area,
    text_input,
)
from sandbox.control.page_style import local_time, page, see_other
from sandbox.control.teams_views import meeting_view
from sandbox.graph.errors import GraphError
from sandbox.graph.meeting_settings import LOBBY_SCOPES, PRESENTERS
from sandbox.graph.online_meetings import change_online_meeting
from sandbox.meetings import OnlineMeeting
from sandbox.public_urls import public_url
from sandbox.teams.activities import (
    FILE_DOWNLOAD_INFO,
    MEETING_END,
    MEETING_START,
    PARTICIPANT_JOIN,
    PARTICIPANT_LEAVE,
)
from sandbox.teams.bot_channel import ActivityDelivery
from sandbox.teams.live_meetings import LiveMeeting
from sandbox.teams.meeting_driver import MeetingActionError, MeetingDriver
from sandbox.tenant import Tenant

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CONTROL_APP = web.AppKey("sandbox_control_app", web.Application)
_EVENTS = {
    MEETING_START: "the meeting started",
    MEETING_END: "the meeting ended",
    PARTICIPANT_JOIN: "joined the meeting",
    PARTICIPANT_LEAVE: "left the meeting",
}


_LOBBY_SCOPE_WORDS = {
    "organizer": "Only the organiser",
    "organization": "People in the organisation",
    "organizationAndFederated": "People in the organisation and trusted organisations",
    "everyone": "Everyone",
    "invited": "People who were invited",
    "organizationExcludingGuests": "People in the organisation, not guests",
}
_PRESENTER_WORDS = {
    "everyone": "Everyone",
    "organization": "People in the organisation",
    "roleIsPresenter": "Specific people (presenters)",
    "organizer": "Only the organiser",
}


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _driver(request: web.Request) -> MeetingDriver:
    """The Teams driver, with `tenant.sandbox_url` filled in from this request if unset (as
    the control API does), so activities can name the Bot Connector."""
    tenant = request.config_dict[TENANT]
    if tenant.sandbox_url is None:
        tenant.sandbox_url = public_url(request, "sandbox-index").removesuffix("/sandbox/")
    return request.config_dict[TEAMS]


def _action(request: web.Request, name: str) -> str:
    return str(request.app.router[name].url_for(meeting=request.match_info["meeting"]))


def _told_bot(delivery: ActivityDelivery) -> str:
    return f" The bot: {delivery.outcome}."


# --- the page ------------------------------------------------------------------------------


def _attachment_lines(attachment: dict[str, Any]) -> list[str]:
    content_type = str(attachment.get("contentType", ""))
    if content_type == ADAPTIVE_CARD:
        return ["Card:", *(f"  {line}" for line in card_lines(attachment.get("content")))]
    if content_type in {FILE_DOWNLOAD_INFO, "reference"}:
        return [f"File: {attachment.get('name', '')}"]
    if content_type == "text/html":
        return []
    return [f"({content_type})"]


def _chat_entry(entry: dict[str, Any]) -> str:
    activity = entry["activity"]
    sender = str((activity.get("from") or {}).get("name") or "")
    name = str(activity.get("name") or "")
    if name in _EVENTS:
        members = (activity.get("value") or {}).get("members") or []
        who = ", ".join(str(m["user"].get("name", "")) for m in members) or sender
        lines = [f"{who} {_EVENTS[name]}" if members else _EVENTS[name].capitalize()]
    else:
        lines = [str(activity.get("text") or "")] if activity.get("text") else []
    for attachment in activity.get("attachments") or []:
        lines.extend(_attachment_lines(attachment))
    direction = "to the bot" if entry["direction"] == "to_bot" else "from the bot"
    edited = ", edited" if entry["updatedAt"] else ""
    return (
        f"<li class='card'><p class='meta'>{escape(sender)} ({escape(direction)}), "
        f"{escape(str(entry['at']))}{escape(edited)}</p>"
        f"<pre>{escape(chr(10).join(lines))}</pre></li>"
    )


def _chat(view: dict[str, Any]) -> str:
    chat = view["chat"]
    entries = "".join(_chat_entry(e) for e in chat["activities"]) if chat else ""
    return f"<ul class='cards'>{entries}</ul>" if entries else "<p>Nothing in the chat yet.</p>"


_PROMPT_STATES = {"running": "playing now", "notStarted": "waiting", "completed": "played"}
ASKED_DURING = (
    " The bot asked for it while its previous prompt was still waiting or playing; Teams "
    "queues prompts, so it waits its turn."
)


def _prompt(prompt: dict[str, Any], status: str) -> str:
    if prompt["problem"] is not None:
        return f"<li>A prompt Teams refused: {escape(str(prompt['problem']))}</li>"
    seconds = prompt["durationSeconds"]
    length = f"{seconds:.1f} seconds" if isinstance(seconds, int | float) else "length unknown"
    uri = str(prompt["uri"] or "")
    player = (
        f" <audio controls preload='none' src='{escape(uri)}'></audio>"
        if uri.startswith(("http://", "https://"))
        else ""
    )
    state = _PROMPT_STATES.get(status, status)
    return f"<li>A spoken prompt of {escape(length)}, {escape(state)}.{player}</li>"


def _operation(operation: dict[str, Any]) -> str:
    """The prompts of one playPrompt operation, or that it waits its turn, and whether the
    bot asked for it while an earlier one had not finished."""
    status = str(operation["status"])
    items = [_prompt(p, status) for p in operation["prompts"]]
    if not items:
        items = [f"<li>A spoken prompt, {escape(_PROMPT_STATES.get(status, status))}.</li>"]
    if operation["askedDuring"] is not None:
        items[0] = items[0].removesuffix("</li>") + escape(ASKED_DURING) + "</li>"
    return "".join(items)


def _calls(view: dict[str, Any]) -> str:
    if not view["calls"]:
        return "<p>The bot has not joined the call.</p>"
    items = []
    for call in view["calls"]:
        prompts = "".join(_operation(operation) for operation in call["operations"])
        played = f"<ul>{prompts}</ul>" if prompts else " No prompt has been played yet."
        items.append(f"<li>The bot's call is {escape(call['state'])}.{played}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _participants(view: dict[str, Any]) -> str:
    items = "".join(
        f"<li>{escape(p['user']['name'])} ({escape(p['role'])}, "
        f"{escape(p['user']['userRole'])}): "
        f"{'in the meeting' if p['inMeeting'] else 'left'}"
        f"{', recording' if p['recording'] else ''}</li>"
        for p in view["participants"]
    )
    return f"<ul>{items}</ul>" if items else "<p>Nobody has joined yet.</p>"


def _invitees(tenant: Tenant, online_meeting: OnlineMeeting, meeting: LiveMeeting) -> list[str]:
    """Who may be admitted from the invitation: object ids and addresses not in the meeting."""
    keys = [a.user_id or a.upn or "" for a in online_meeting.attendees]
    return [k for k in keys if k and not _present(tenant, meeting, k)]


def _present(tenant: Tenant, meeting: LiveMeeting, key: str) -> bool:
    """Whether the person `key` names is in the meeting; an outside person joins anonymously,
    so their account (not the address) is what the meeting knows them by."""
    attendance = meeting.participant(key)
    if attendance is None:
        try:
            attendance = meeting.attendance.get(tenant.teams_accounts.resolve(key).id)
        except LookupError:
            return False
    return attendance is not None and attendance.in_meeting


def _name(tenant: Tenant, key: str) -> str:
    user = tenant.directory.user_by_object_id(key)
    name = user.display_name if user is not None else tenant.directory.display_name_for(key)
    return f"{name} ({key})" if name and user is None else name or key


def _staff_posters(tenant: Tenant, online_meeting: OnlineMeeting) -> list[str]:
    ids = [online_meeting.organizer_id, *(a.user_id for a in online_meeting.attendees)]
    staff = (tenant.directory.user_by_object_id(i) for i in ids if i)
    return [u.object_id for u in staff if u is not None and u.kind == "staff"]


def _controls(
    request: web.Request, tenant: Tenant, meeting: LiveMeeting, online_meeting: OnlineMeeting
) -> str:
    parts = []
    if meeting.phase != "started":
        parts.append(
            form(_action(request, "sandbox-meeting-start"), "", "Start the meeting")
            + "<p class='meta'>The organiser joins first.</p>"
        )
    else:
        invitees = [(k, _name(tenant, k)) for k in _invitees(tenant, online_meeting, meeting)]
        if invitees:
            parts.append(
                form(
                    _action(request, "sandbox-meeting-admit"),
                    select("user", "Admit an invited attendee", invitees, field_id="admit-user"),
                    "Admit",
                )
            )
        parts.append(
            form(
                _action(request, "sandbox-meeting-admit"),
                text_input("anonymousName", "Admit a stranger named", field_id="admit-stranger"),
                "Admit the stranger",
            )
        )
        present = [(a.account.id, a.account.name) for a in meeting.present()]
        parts.append(
            form(
                _action(request, "sandbox-meeting-record"),
                select("by", "Start recording as", present, field_id="record-by")
                + hidden("action", "start"),
                "Start recording",
            )
            + form(
                _action(request, "sandbox-meeting-record"),
                select("by", "Stop recording as", present, field_id="stop-by")
                + hidden("action", "stop"),
                "Stop recording",
            )
        )
        parts.append(_assistant_controls(request, tenant, meeting, present))
    posters = [(i, _name(tenant, i)) for i in _staff_posters(tenant, online_meeting)]
    if posters:
        parts.append(
            form(
                _action(request, "sandbox-meeting-file"),
                select("from", "Post a file in the chat as", posters, field_id="file-from")
                + text_input("name", "File name", field_id="file-name", value="notes.txt")
                + text_area("content", "File content (text)", field_id="file-content")
                + text_input("text", "Message with the file", field_id="file-text"),
                "Post the file",
            )
        )
    if meeting.phase == "started":
        parts.append(form(_action(request, "sandbox-meeting-end"), "", "End the meeting"))
    return "".join(parts)


def _latest_card_actions(tenant: Tenant, meeting: LiveMeeting) -> list[dict[str, Any]]:
    """The actions of the bot's latest Adaptive Card in the meeting chat."""
    conversation = tenant.conversations.get(meeting.thread_id)
    cards = [
        attachment["content"]
        for entry in (conversation.entries if conversation is not None else [])
        if entry.direction == "from_bot"
        for attachment in entry.activity.get("attachments") or ()
        if attachment.get("contentType") == ADAPTIVE_CARD
    ]
    return list(cards[-1].get("actions") or []) if cards else []


def _card_buttons(tenant: Tenant, meeting: LiveMeeting) -> list[tuple[str, str]]:
    """The Action.Submit buttons on the bot's latest card in the chat: (index, title)."""
    return [
        (str(index), str(action.get("title")))
        for index, action in enumerate(_latest_card_actions(tenant, meeting))
        if action.get("type") == "Action.Submit"
    ]


def _assistant_controls(
    request: web.Request, tenant: Tenant, meeting: LiveMeeting, present: list[tuple[str, str]]
) -> str:
    """Admitting the bot from the lobby, writing to it, and pressing its card's buttons."""
    parts = []
    if any(call.in_lobby for call in tenant.calls.live_in(meeting.thread_id)):
        parts.append(
            "<p class='meta'>The bot is waiting in the lobby.</p>"
            + form(_action(request, "sandbox-meeting-admit-bot"), "", "Admit the bot")
        )
    if present:
        parts.append(
            form(
                _action(request, "sandbox-meeting-mention"),
                select("from", "Write to the bot (@mention) as", present, field_id="mention-from")
                + text_input("text", "Message", field_id="mention-text"),
                "Send to the bot",
            )
        )
        for index, title in _card_buttons(tenant, meeting):
            parts.append(
                form(
                    _action(request, "sandbox-meeting-card-button"),
                    select("from", f"Press “{title}” as", present, field_id=f"button-{index}")
                    + hidden("button", index),
                    f"Press “{title}”",
                )
            )
    return "".join(parts)


def _bot_note(tenant: Tenant, meeting: LiveMeeting) -> str:
    chat = tenant.chats.get(meeting.thread_id)
    catalog_app = tenant.bot_catalog_app
    if tenant.bot_endpoint is None:
        problem = "The bot's messaging endpoint is not set"
    elif chat is None or catalog_app is None or chat.installation_of(catalog_app.id) is None:
        problem = "The bot's app is not installed in this meeting's chat"
    else:
        return ""
    return (
        f"<p class='note'>{escape(problem)}: Teams records what happens here but tells no bot.</p>"
    )


def _room(request: web.Request, tenant: Tenant, meeting: LiveMeeting, om: OnlineMeeting) -> str:
    view = meeting_view(tenant, meeting)
    happened = (f" Started {escape(view['startedAt'])}." if view["startedAt"] else "") + (
        f" Ended {escape(view['endedAt'])}." if view["endedAt"] else ""
    )
    return (
        f"<p>{_index_link(request)}</p>{_bot_note(tenant, meeting)}"
        f"<p>Scheduled {escape(local_time(om.start))} to "
        f"{escape(local_time(om.end))} (UK time). The meeting is {escape(meeting.phase)}."
        f"{happened}</p>"
        f"<p>Recording allowed: {_yes_no(om.allow_recording)}. "
        f"Transcription allowed: {_yes_no(om.allow_transcription)}. "
        f"Being recorded: {_yes_no(view['recording'])}.</p>"
        f"<h2>Do something</h2>{_controls(request, tenant, meeting, om)}"
        f"{_options(request, tenant, om)}"
        f"<h2>Participants</h2>{_participants(view)}"
        f"<h2>The call</h2>{_calls(view)}"
        f"<h2>Meeting chat</h2>{_chat(view)}"
        "<details><summary>Targeted notifications the bot showed</summary>"
        f"<pre>{escape(json.dumps(view['notifications'], indent=2))}</pre></details>"
    )


def _options(request: web.Request, tenant: Tenant, om: OnlineMeeting) -> str:
    """The organiser's meeting options, as Teams shows them, set as the meeting has them."""
    organiser = tenant.directory.user_by_object_id(om.organizer_id)
    name = organiser.display_name if organiser is not None else om.organizer_id
    fields = (
        checkbox(
            "allowRecording",
            "Allow recording",
            field_id="option-record",
            checked=om.allow_recording,
        )
        + checkbox(
            "allowTranscription",
            "Allow transcription",
            field_id="option-transcribe",
            checked=om.allow_transcription,
        )
        + checkbox(
            "recordAutomatically",
            "Record automatically",
            field_id="option-record-automatically",
            checked=om.record_automatically,
        )
        + select(
            "lobbyScope",
            "Who can bypass the lobby",
            [(s, f"{_LOBBY_SCOPE_WORDS[s]} ({s})") for s in LOBBY_SCOPES],
            field_id="option-lobby",
            selected=om.lobby_bypass_scope,
        )
        + select(
            "allowedPresenters",
            "Who can present",
            [(p, f"{_PRESENTER_WORDS[p]} ({p})") for p in PRESENTERS],
            field_id="option-presenters",
            selected=om.allowed_presenters,
        )
    )
    return (
        "<h2>Meeting options</h2>"
        f"<p class='meta'>As the organiser, {escape(name)}, changes them in Teams.</p>"
        + form(_action(request, "sandbox-meeting-options"), fields, "Save the meeting options")
    )


def _index_link(request: web.Request) -> str:
    url = request.app.router["sandbox-index"].url_for()
    return f"<a href='{escape(str(url))}'>Back to the sandbox</a>"


async def meeting_page(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting_id = request.match_info["meeting"]
    online_meeting = tenant.meetings.get(meeting_id)
    if online_meeting is None:
        raise web.HTTPNotFound(text="No onlineMeeting has that id.")
    title = f"Meeting: {online_meeting.subject or '(no subject)'}"
    meeting = tenant.live_meetings.get(meeting_id)
    if meeting is None:
        opener = form(_action(request, "sandbox-meeting-create"), "", "Open the meeting room")
        content = (
            f"<p>{_index_link(request)}</p><p>The meeting is scheduled "
            f"{escape(local_time(online_meeting.start))} to "
            f"{escape(local_time(online_meeting.end))} (UK time); its room is not open yet."
            f"</p>{opener}{_options(request, tenant, online_meeting)}"
        )
        return page(title, content, request)
    return page(title, _room(request, tenant, meeting, online_meeting), request)


# --- the forms -----------------------------------------------------------------------------


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
    actions = [] if meeting is None else _latest_card_actions(request.config_dict[TENANT], meeting)
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


def add_meeting_page_routes(app: web.Application) -> None:
    router = app.router
    router.add_post("/meetings", open_by_id, name="sandbox-meeting-open")
    router.add_get("/meetings/{meeting}", meeting_page, name="sandbox-meeting")
    router.add_post("/meetings/{meeting}", create_room, name="sandbox-meeting-create")
    router.add_post("/meetings/{meeting}/start", start, name="sandbox-meeting-start")
    router.add_post("/meetings/{meeting}/participants", admit, name="sandbox-meeting-admit")
    router.add_post("/meetings/{meeting}/recording", record, name="sandbox-meeting-record")
    router.add_post("/meetings/{meeting}/options", change_options, name="sandbox-meeting-options")
    router.add_post("/meetings/{meeting}/files", post_file, name="sandbox-meeting-file")
    router.add_post("/meetings/{meeting}/end", end, name="sandbox-meeting-end")
    router.add_post("/meetings/{meeting}/lobby", admit_bot, name="sandbox-meeting-admit-bot")
    router.add_post("/meetings/{meeting}/mention", mention_bot, name="sandbox-meeting-mention")
    router.add_post(
        "/meetings/{meeting}/card-button", press_card_button, name="sandbox-meeting-card-button"
    )
