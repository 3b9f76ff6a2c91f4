"""The meeting room page: one live meeting as the people in it see it, and the forms for what
they can do there. It shows the onlineMeeting's subject, times and recording and transcription
settings as Teams has them now, the participants, the bot's calls and the prompts played, and
the meeting chat (written by `sandbox.control.meeting_room_view`). Its forms start the meeting,
admit an invitee or a stranger, start and stop recording, admit the bot from the lobby, write
to the bot (an @mention) or press a button on its latest card as someone present, post a file
as a member of staff, and end the meeting; they post to `sandbox.control.meeting_actions`. A
meeting not live yet offers to open its room.

Before and during the meeting its organiser can change the meeting options, as in Teams:
whether recording and transcription are allowed, whether it records automatically, who
bypasses the lobby and who presents. The form shows them as the onlineMeeting has them."""

from __future__ import annotations

import json
from html import escape

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.control.meeting_actions import (
    admit,
    admit_bot,
    change_options,
    create_room,
    end,
    mention_bot,
    open_by_id,
    post_file,
    press_card_button,
    record,
    start,
)
from sandbox.control.meeting_room_view import (
    calls_html,
    chat_html,
    latest_card_actions,
    participants_html,
    yes_no,
)
from sandbox.control.page_forms import (
    checkbox,
    form,
    hidden,
    select,
    text_area,
    text_input,
)
from sandbox.control.page_style import local_time, page
from sandbox.control.teams_views import meeting_view
from sandbox.graph.meeting_settings import LOBBY_SCOPES, PRESENTERS
from sandbox.meetings import OnlineMeeting
from sandbox.teams.live_meetings import LiveMeeting
from sandbox.tenant import Tenant

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


def _action(request: web.Request, name: str) -> str:
    return str(request.app.router[name].url_for(meeting=request.match_info["meeting"]))


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


def _card_buttons(tenant: Tenant, meeting: LiveMeeting) -> list[tuple[str, str]]:
    """The Action.Submit buttons on the bot's latest card in the chat: (index, title)."""
    return [
        (str(index), str(action.get("title")))
        for index, action in enumerate(latest_card_actions(tenant, meeting))
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
        f"<p>Recording allowed: {yes_no(om.allow_recording)}. "
        f"Transcription allowed: {yes_no(om.allow_transcription)}. "
        f"Being recorded: {yes_no(view['recording'])}.</p>"
        f"<h2>Do something</h2>{_controls(request, tenant, meeting, om)}"
        f"{_options(request, tenant, om)}"
        f"<h2>Participants</h2>{participants_html(view)}"
        f"<h2>The call</h2>{calls_html(view)}"
        f"<h2>Meeting chat</h2>{chat_html(view)}"
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
