"""Graph `onlineMeeting` under `/users/{organizerId}/onlineMeetings`: create, get, find by
join URL (`?$filter=JoinWebUrl eq '...'`) or meeting id, update (settings, subject, times,
invitees) and delete. A calendar event made as a Teams meeting (`sandbox.graph.events`) makes
its online meeting here too (`open_online_meeting`), with Teams' default settings.

As in Graph, the user segment must be the organiser's object id, the app needs
OnlineMeetings.ReadWrite.All (Read.All to read) and an application access policy granted
for that user; a meeting is found only under its own organiser. Creating a meeting also
creates its chat (`chatInfo.threadId`) with the organiser and invitees as members; invitees
added later join the chat, and nobody is removed from it. Deleting a meeting (204) leaves its
chat, as Teams does; the meeting itself is not found afterwards. A meeting made here has a
passcode to join by meeting id only when `joinMeetingIdSettings.isPasscodeRequired` asks for
one (Create onlineMeeting, examples 2 and 3); one made for a calendar event has one.

The shape of its answers is `sandbox.graph.meeting_resource`; the properties a create or a
PATCH may give, and how they are checked, `sandbox.graph.meeting_settings`.
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
from sandbox.graph.meeting_resource import SHAPES, meeting_context, meeting_resource
from sandbox.graph.meeting_settings import CREATE_ONLY, apply_properties, boolean_value
from sandbox.graph.odata import json_object, project, selected
from sandbox.graph.protection import Denial, GraphRouter, caller_of
from sandbox.ids import meeting_thread_id, online_meeting_id
from sandbox.meetings import OnlineMeeting
from sandbox.tenant import Tenant

WRITE_ROLES = frozenset({"OnlineMeetings.ReadWrite.All"})
READ_ROLES = frozenset({"OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"})
DENIAL = Denial(
    403,
    "Forbidden",
    "Application does not have the required permissions. API requires one of '{roles}'.",
)


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), text)


def _join_web_url(tenant: Tenant, organizer: TenantUser, thread_id: str) -> str:
    context = f'{{"Tid":"{tenant.tenant_id}","Oid":"{organizer.object_id}"}}'
    thread = _lower_escapes(quote(thread_id, safe=""))
    encoded_context = _lower_escapes(quote(context, safe=""))
    return f"https://teams.microsoft.com/l/meetup-join/{thread}/0?context={encoded_context}"


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


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def _passcode_required(body: dict[str, Any]) -> bool:
    settings = body.get("joinMeetingIdSettings")
    if settings is None:
        return False
    if not isinstance(settings, dict):
        raise bad_request("Invalid value for 'joinMeetingIdSettings'.")
    return boolean_value(settings.get("isPasscodeRequired", False), "isPasscodeRequired")


def open_online_meeting(
    tenant: Tenant, organizer: TenantUser, body: dict[str, Any], *, passcode: bool = False
) -> OnlineMeeting:
    """A new online meeting for `organizer` with `body`'s writable properties (Teams' defaults
    for the rest), a passcode to join by meeting id if `passcode`, and its meeting chat."""
    now = tenant.now()
    thread_id = meeting_thread_id()
    meeting = OnlineMeeting(
        id=online_meeting_id(organizer.object_id, thread_id),
        organizer_id=organizer.object_id,
        thread_id=thread_id,
        join_web_url=_join_web_url(tenant, organizer, thread_id),
        join_meeting_id=_digits(12),
        passcode=(
            "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6))
            if passcode
            else None
        ),
        created_at=now,
        start=now,
        end=now + timedelta(hours=1),
        conference_id=_digits(9),
        documented_shape=tenant.meetings.next_shape(SHAPES),
    )
    apply_properties(tenant, meeting, body)
    meeting.kept |= {name: body[name] for name in CREATE_ONLY if name in body}
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
    """Apply `body`'s writable properties as a Graph PATCH does (the organiser's meeting
    options in Teams change the same properties); invitees added join the meeting chat. A
    body Graph would refuse raises its 400 `GraphError` and changes nothing."""
    apply_properties(tenant, meeting, body)
    chat = tenant.chats.get(meeting.thread_id)
    if chat is not None:
        chat.topic = meeting.subject
        known = {(m.user_id or m.email).lower() for m in chat.members}
        chat.members += [
            m for m in _chat_members(tenant, meeting) if (m.user_id or m.email).lower() not in known
        ]


async def create_meeting(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    body = await json_object(request)
    meeting = open_online_meeting(
        tenant, _organizer(request), body, passcode=_passcode_required(body)
    )
    return web.json_response(meeting_resource(tenant, meeting, entity=True), status=201)


JOIN_WEB_URL_FILTER = re.compile(r"^\s*joinweburl\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
JOIN_MEETING_ID_FILTER = re.compile(
    r"^\s*joinmeetingidsettings/joinmeetingid\s+eq\s+'(\d+)'\s*$", re.IGNORECASE
)


async def find_meetings(request: web.Request) -> web.Response:
    """`GET /users/{organizer}/onlineMeetings?$filter=JoinWebUrl eq '{joinWebUrl}'` (or
    `joinMeetingIdSettings/joinMeetingId eq '{joinMeetingId}'`): the organiser's meeting with
    that join URL or meeting id (none if another organiser's); Graph lists a user's meetings
    only by such a filter (Get onlineMeeting, examples 3 and 4)."""
    tenant = request.config_dict[TENANT]
    organizer = _organizer(request)
    query = request.query.get("$filter", "")
    by_url, by_id = JOIN_WEB_URL_FILTER.match(query), JOIN_MEETING_ID_FILTER.match(query)
    if by_url is not None:
        wanted = by_url.group(1).replace("''", "'")
        found = [
            m for m in tenant.meetings.of_organizer(organizer.object_id) if m.join_web_url == wanted
        ]
    elif by_id is not None:
        found = [
            m
            for m in tenant.meetings.of_organizer(organizer.object_id)
            if m.join_meeting_id == by_id.group(1)
        ]
    else:
        raise bad_request(
            "Filter expression expected - /onlineMeetings?$filter=JoinWebUrl eq 'url'."
        )
    context = meeting_context(organizer.object_id)
    return web.json_response(
        {"@odata.context": context, "value": [meeting_resource(tenant, m) for m in found]}
    )


async def get_meeting(request: web.Request) -> web.Response:
    """The meeting; with `$select`, only the properties named (Get onlineMeeting: "This
    method supports the OData query parameters to help customize the response"), as the
    sandbox answers `$select` on users: without `id` unless it is named."""
    meeting = _meeting(request, _organizer(request))
    resource = meeting_resource(request.config_dict[TENANT], meeting, entity=True)
    names = [name for name in resource if not name.startswith("@")]
    properties = selected(request, names, "microsoft.graph.onlineMeeting")
    if properties is None:
        return web.json_response(resource)
    context = f"{meeting_context(meeting.organizer_id)}({','.join(properties)})/$entity"
    return web.json_response(
        {"@odata.context": context, **project(resource, properties, always=())}
    )


async def update_meeting(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting = _meeting(request, _organizer(request))
    change_online_meeting(tenant, meeting, await json_object(request))
    return web.json_response(meeting_resource(tenant, meeting, entity=True))


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
