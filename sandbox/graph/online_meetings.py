"""Graph `onlineMeeting` under `/users/{organizerId}/onlineMeetings`: create, get, find by
join URL (`?$filter=JoinWebUrl eq '...'`), update (settings, subject, times, invitees) and
delete. A calendar event made as a Teams meeting (`sandbox.graph.events`) makes its online
meeting here too (`open_online_meeting`), with Teams' default settings.

As in Graph, the user segment must be the organiser's object id, the app needs
OnlineMeetings.ReadWrite.All (Read.All to read) and an application access policy granted
for that user; a meeting is found only under its own organiser. Creating a meeting also
creates its chat (`chatInfo.threadId`) with the organiser and invitees as members; invitees
added later join the chat, and nobody is removed from it. Deleting a meeting (204) leaves its
chat, as Teams does; the meeting itself is not found afterwards.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.chats import Chat, ChatMember
from sandbox.directory import TenantUser
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.odata import json_object
from sandbox.graph.protection import Denial, GraphRouter, caller_of
from sandbox.graph_time import graph_datetime, parse_graph_datetime
from sandbox.ids import meeting_thread_id, online_meeting_id
from sandbox.meetings import Attendee, OnlineMeeting
from sandbox.tenant import Tenant

WRITE_ROLES = frozenset({"OnlineMeetings.ReadWrite.All"})
READ_ROLES = frozenset({"OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"})
DENIAL = Denial(
    403,
    "Forbidden",
    "Application does not have the required permissions. API requires one of '{roles}'.",
)

BOOLEAN_SETTINGS = {
    "allowRecording": "allow_recording",
    "allowTranscription": "allow_transcription",
    "recordAutomatically": "record_automatically",
    "allowTeamworkReactions": "allow_teamwork_reactions",
    "allowAttendeeToEnableCamera": "allow_attendee_to_enable_camera",
    "allowAttendeeToEnableMic": "allow_attendee_to_enable_mic",
    "isEntryExitAnnounced": "is_entry_exit_announced",
}
CHOICE_SETTINGS = {
    "allowedPresenters": (
        "allowed_presenters",
        ("everyone", "organization", "roleIsPresenter", "organizer"),
    ),
    "allowMeetingChat": ("allow_meeting_chat", ("enabled", "disabled", "limited")),
}
LOBBY_SCOPES = (
    "organizer", "organization", "organizationAndFederated", "everyone", "invited",
    "organizationExcludingGuests",
)  # fmt: skip
READ_ONLY_PROPERTIES = frozenset(
    {
        "@odata.type", "id", "joinWebUrl", "joinUrl", "chatInfo", "creationDateTime",
        "joinMeetingIdSettings", "joinInformation", "videoTeleconferenceId", "externalId",
        "audioConferencing", "isBroadcast", "broadcastSettings",
    }
)  # fmt: skip
OTHER_WRITABLE_PROPERTIES = frozenset(
    {"subject", "startDateTime", "endDateTime", "participants", "lobbyBypassSettings"}
)


def _choice(value: object, choices: tuple[str, ...], name: str) -> str:
    by_lower = {choice.lower(): choice for choice in choices}
    if not isinstance(value, str) or value.lower() not in by_lower:
        raise bad_request(f"Invalid value for '{name}'. Allowed values: {', '.join(choices)}.")
    return by_lower[value.lower()]


def _boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise bad_request(f"Invalid value for '{name}': a boolean is required.")
    return value


def _attendees(tenant: Tenant, value: object) -> list[Attendee]:
    if not isinstance(value, dict):
        raise bad_request("Invalid value for 'participants'.")
    raw_attendees = value.get("attendees") or []
    if not isinstance(raw_attendees, list):
        raise bad_request("Invalid value for 'participants.attendees'.")
    attendees = []
    for raw in raw_attendees:
        if not isinstance(raw, dict):
            raise bad_request("Invalid value in 'participants.attendees'.")
        identity_user = (raw.get("identity") or {}).get("user") or {}
        upn = raw.get("upn")
        user = tenant.directory.user_by_object_id(
            str(identity_user.get("id") or "")
        ) or tenant.directory.user_by_address(str(upn or ""))
        attendees.append(
            Attendee(
                upn=user.user_principal_name if user else upn,
                user_id=user.object_id if user else identity_user.get("id"),
                display_name=user.display_name if user else identity_user.get("displayName"),
                role=str(raw.get("role") or "attendee"),
            )
        )
    return attendees


def _apply(tenant: Tenant, meeting: OnlineMeeting, body: dict[str, Any]) -> None:
    """Apply the writable properties in `body`; unknown properties are refused first, so a
    refused request changes nothing."""
    writable = set(BOOLEAN_SETTINGS) | set(CHOICE_SETTINGS) | OTHER_WRITABLE_PROPERTIES
    unknown = [name for name in body if name not in writable | READ_ONLY_PROPERTIES]
    if unknown:
        raise bad_request(
            f"Invalid property '{unknown[0]}' on type 'microsoft.graph.onlineMeeting'."
        )
    changes: dict[str, Any] = {}
    for name, attribute in BOOLEAN_SETTINGS.items():
        if name in body:
            changes[attribute] = _boolean(body[name], name)
    for name, (attribute, choices) in CHOICE_SETTINGS.items():
        if name in body:
            changes[attribute] = _choice(body[name], choices, name)
    for name, attribute in (("startDateTime", "start"), ("endDateTime", "end")):
        if name in body:
            try:
                changes[attribute] = parse_graph_datetime(str(body[name]))
            except ValueError as error:
                raise bad_request(f"Invalid value for '{name}'.") from error
    if "subject" in body:
        changes["subject"] = str(body["subject"] or "")
    if "participants" in body:
        changes["attendees"] = _attendees(tenant, body["participants"])
    lobby = body.get("lobbyBypassSettings")
    if lobby is not None:
        if not isinstance(lobby, dict):
            raise bad_request("Invalid value for 'lobbyBypassSettings'.")
        if "scope" in lobby:
            changes["lobby_bypass_scope"] = _choice(lobby["scope"], LOBBY_SCOPES, "scope")
        if "isDialInBypassEnabled" in lobby:
            changes["lobby_dial_in_bypass"] = _boolean(
                lobby["isDialInBypassEnabled"], "isDialInBypassEnabled"
            )
    if changes.get("allow_recording", meeting.allow_recording) != meeting.allow_recording:
        meeting.allow_recording_changes.append((tenant.now(), changes["allow_recording"]))
    for attribute, value in changes.items():
        setattr(meeting, attribute, value)


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), text)


def _join_web_url(tenant: Tenant, organizer: TenantUser, thread_id: str) -> str:
    context = f'{{"Tid":"{tenant.tenant_id}","Oid":"{organizer.object_id}"}}'
    thread = _lower_escapes(quote(thread_id, safe=""))
    encoded_context = _lower_escapes(quote(context, safe=""))
    return f"https://teams.microsoft.com/l/meetup-join/{thread}/0?context={encoded_context}"


def _identity(tenant: Tenant, user_id: str | None, display_name: str | None) -> dict[str, Any]:
    return {
        "user": {
            "id": user_id,
            "displayName": display_name,
            "tenantId": tenant.tenant_id if user_id else None,
            "identityProvider": "AAD",
        }
    }


def meeting_resource(tenant: Tenant, meeting: OnlineMeeting) -> dict[str, Any]:
    organizer = tenant.directory.user_by_object_id(meeting.organizer_id)
    return {
        "id": meeting.id,
        "creationDateTime": graph_datetime(meeting.created_at),
        "startDateTime": graph_datetime(meeting.start),
        "endDateTime": graph_datetime(meeting.end),
        "joinWebUrl": meeting.join_web_url,
        "subject": meeting.subject,
        "isBroadcast": False,
        "externalId": None,
        "videoTeleconferenceId": None,
        "audioConferencing": None,
        "broadcastSettings": None,
        "isEntryExitAnnounced": meeting.is_entry_exit_announced,
        "allowedPresenters": meeting.allowed_presenters,
        "allowMeetingChat": meeting.allow_meeting_chat,
        "allowTeamworkReactions": meeting.allow_teamwork_reactions,
        "allowAttendeeToEnableCamera": meeting.allow_attendee_to_enable_camera,
        "allowAttendeeToEnableMic": meeting.allow_attendee_to_enable_mic,
        "allowRecording": meeting.allow_recording,
        "allowTranscription": meeting.allow_transcription,
        "recordAutomatically": meeting.record_automatically,
        "lobbyBypassSettings": {
            "scope": meeting.lobby_bypass_scope,
            "isDialInBypassEnabled": meeting.lobby_dial_in_bypass,
        },
        "joinMeetingIdSettings": {
            "isPasscodeRequired": True,
            "joinMeetingId": meeting.join_meeting_id,
            "passcode": meeting.passcode,
        },
        "chatInfo": {"threadId": meeting.thread_id, "messageId": "0", "replyChainMessageId": None},
        "participants": {
            "organizer": {
                "upn": organizer.user_principal_name if organizer else None,
                "role": "presenter",
                "identity": _identity(tenant, meeting.organizer_id, None),
            },
            "attendees": [
                {
                    "upn": attendee.upn,
                    "role": attendee.role,
                    "identity": _identity(
                        tenant,
                        attendee.user_id,
                        None if attendee.user_id else attendee.display_name,
                    ),
                }
                for attendee in meeting.attendees
            ],
        },
    }


def _chat_members(tenant: Tenant, meeting: OnlineMeeting) -> list[ChatMember]:
    members: dict[str, ChatMember] = {}
    organizer = tenant.directory.user_by_object_id(meeting.organizer_id)
    if organizer is not None:
        members[organizer.mail.lower()] = ChatMember(
            organizer.object_id, organizer.display_name, organizer.mail
        )
    for attendee in meeting.attendees:
        user = tenant.directory.user_by_object_id(attendee.user_id or "")
        address = user.mail if user is not None else attendee.upn
        if address:
            name = attendee.display_name or tenant.directory.display_name_for(address)
            members.setdefault(address.lower(), ChatMember(attendee.user_id, name, address))
    return list(members.values())


def organizer_of_request(request: web.Request) -> TenantUser:
    """The `{user}` of the path: a user the application access policy lets the app act for."""
    return _organizer(request)


def _organizer(request: web.Request) -> TenantUser:
    tenant = request.config_dict[TENANT]
    user = tenant.directory.user_by_object_id(request.match_info["user"])
    if user is None:
        raise GraphError(404, "NotFound", "The user was not found. Use the user's object ID.")
    if user.object_id not in caller_of(request).app.online_meeting_policy_user_ids:
        raise GraphError(403, "Forbidden", "No application access policy found for this app.")
    return user


def _meeting(request: web.Request, organizer: TenantUser) -> OnlineMeeting:
    meeting = request.config_dict[TENANT].meetings.get(request.match_info["meeting"])
    if meeting is None or meeting.organizer_id != organizer.object_id:
        raise GraphError(404, "NotFound", "The specified online meeting was not found.")
    return meeting


def open_online_meeting(
    tenant: Tenant, organizer: TenantUser, body: dict[str, Any]
) -> OnlineMeeting:
    """A new online meeting for `organizer` with `body`'s writable properties (Teams' defaults
    for the rest), and its meeting chat."""
    now = tenant.now()
    thread_id = meeting_thread_id()
    meeting = OnlineMeeting(
        id=online_meeting_id(organizer.object_id, thread_id),
        organizer_id=organizer.object_id,
        thread_id=thread_id,
        join_web_url=_join_web_url(tenant, organizer, thread_id),
        join_meeting_id="".join(secrets.choice(string.digits) for _ in range(12)),
        passcode="".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6)),
        created_at=now,
        start=now,
        end=now + timedelta(hours=1),
    )
    _apply(tenant, meeting, body)
    tenant.meetings.add(meeting)
    tenant.chats.add(
        Chat(
            id=thread_id,
            topic=meeting.subject,
            chat_type="meeting",
            online_meeting_id=meeting.id,
            members=_chat_members(tenant, meeting),
        )
    )
    return meeting


def change_online_meeting(tenant: Tenant, meeting: OnlineMeeting, body: dict[str, Any]) -> None:
    """Apply `body`'s writable properties; invitees added join the meeting chat."""
    _apply(tenant, meeting, body)
    chat = tenant.chats.get(meeting.thread_id)
    if chat is not None:
        chat.topic = meeting.subject
        known = {(m.user_id or m.email).lower() for m in chat.members}
        chat.members += [
            m for m in _chat_members(tenant, meeting) if (m.user_id or m.email).lower() not in known
        ]


async def create_meeting(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting = open_online_meeting(tenant, _organizer(request), await json_object(request))
    return web.json_response(meeting_resource(tenant, meeting), status=201)


JOIN_WEB_URL_FILTER = re.compile(r"^\s*joinweburl\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)


async def find_meetings(request: web.Request) -> web.Response:
    """`GET /users/{organizer}/onlineMeetings?$filter=JoinWebUrl eq '{joinWebUrl}'`: the
    organiser's meeting with that join URL (none if another organiser's); Graph lists a
    user's meetings only by such a filter."""
    tenant = request.config_dict[TENANT]
    organizer = _organizer(request)
    matched = JOIN_WEB_URL_FILTER.match(request.query.get("$filter", ""))
    if matched is None:
        raise bad_request(
            "Filter expression expected - /onlineMeetings?$filter=JoinWebUrl eq 'url'."
        )
    wanted = matched.group(1).replace("''", "'")
    found = [
        meeting_resource(tenant, m)
        for m in tenant.meetings.of_organizer(organizer.object_id)
        if m.join_web_url == wanted
    ]
    context = (
        f"https://graph.microsoft.com/v1.0/$metadata#users('{organizer.object_id}')/onlineMeetings"
    )
    return web.json_response({"@odata.context": context, "value": found})


async def get_meeting(request: web.Request) -> web.Response:
    meeting = _meeting(request, _organizer(request))
    return web.json_response(meeting_resource(request.config_dict[TENANT], meeting))


async def update_meeting(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting = _meeting(request, _organizer(request))
    change_online_meeting(tenant, meeting, await json_object(request))
    return web.json_response(meeting_resource(tenant, meeting))


async def delete_meeting(request: web.Request) -> web.Response:
    meeting = _meeting(request, _organizer(request))
    request.config_dict[TENANT].meetings.remove(meeting.id)
    return web.Response(status=204)


def add_online_meeting_routes(graph: GraphRouter) -> None:
    graph.add(
        "POST", "/users/{user}/onlineMeetings", create_meeting, roles=WRITE_ROLES, denial=DENIAL
    )
    graph.add("GET", "/users/{user}/onlineMeetings", find_meetings, roles=READ_ROLES, denial=DENIAL)
    graph.add(
        "GET",
        "/users/{user}/onlineMeetings/{meeting}",
        get_meeting,
        roles=READ_ROLES,
        denial=DENIAL,
    )
    graph.add(
        "PATCH",
        "/users/{user}/onlineMeetings/{meeting}",
        update_meeting,
        roles=WRITE_ROLES,
        denial=DENIAL,
    )
    graph.add(
        "DELETE",
        "/users/{user}/onlineMeetings/{meeting}",
        delete_meeting,
        roles=WRITE_ROLES,
        denial=DENIAL,
    )
