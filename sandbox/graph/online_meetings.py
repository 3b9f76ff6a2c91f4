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

Answers carry every key of Microsoft's documented examples (`tests/conformance/graph/`). The
examples contradict each other in two ways, and the sandbox writes each meeting in one of
them in turn (`SHAPES`): `audioConferencing.ConferenceId` with `@odata.type` on the nested
objects (Get onlineMeeting, example 1; the Create examples), or `audioConferencing.conferenceId`
without them (Update onlineMeeting, example 1; the audioConferencing resource).
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import timedelta
from typing import Any, Final
from urllib.parse import quote, quote_plus

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
PRESENTERS = ("everyone", "organization", "roleIsPresenter", "organizer")
CHOICE_SETTINGS = {
    "allowedPresenters": ("allowed_presenters", PRESENTERS),
    "allowMeetingChat": ("allow_meeting_chat", ("enabled", "disabled", "limited")),
}
LOBBY_SCOPES = (
    "organizer", "organization", "organizationAndFederated", "everyone", "invited",
    "organizationExcludingGuests",
)  # fmt: skip
KEPT_BOOLEANS: Final = {
    "allowBreakoutRooms": True,
    "allowCopyingAndSharingMeetingContent": True,
    "allowParticipantsToChangeName": False,
    "allowPowerPointSharing": True,
    "allowWhiteboard": True,
    "isEndToEndEncryptionEnabled": False,
}
"""Documented settings (onlineMeetingBase; Update onlineMeeting lists them as writable) kept and
given back, not acted on, with the sandbox's defaults."""
KEPT_VALUES: Final[dict[str, Any]] = {
    "allowedLobbyAdmitters": "organizerAndCoOrganizersAndPresenters",
    "allowLiveShare": "enabled",
    "anonymizeIdentityForRoles": [],
    "broadcastSettings": None,
    "chatRestrictions": None,
    "meetingSpokenLanguageTag": None,
    "sensitivityLabelAssignment": None,
    "shareMeetingChatHistoryDefault": "all",
    "watermarkProtection": None,
}
CREATE_ONLY: Final = frozenset({"meetingTemplateId", "externalId"})
"""Given when a meeting is made and kept; a later PATCH cannot change them (Create
onlineMeeting, example 4: "Subsequent updates ... can't overwrite the meetingTemplateId")."""
READ_ONLY_PROPERTIES = frozenset(
    {
        "@odata.type", "@odata.context", "id", "joinWebUrl", "joinUrl", "chatInfo",
        "creationDateTime", "joinMeetingIdSettings", "joinInformation", "videoTeleconferenceId",
        "audioConferencing", "isBroadcast", "autoAdmittedUsers", "expiryDateTime",
        "meetingOptionsWebUrl", "meetingType", "cloudVideoInteropInfo",
    }
) | CREATE_ONLY  # fmt: skip
OTHER_WRITABLE_PROPERTIES = frozenset(
    {"subject", "startDateTime", "endDateTime", "participants", "lobbyBypassSettings"}
)
SHAPES: Final = 2
"""The documented onlineMeeting answer shapes the sandbox writes in turn (see the module)."""
AUTO_ADMITTED: Final = {"everyone": "everyone", "organization": "EveryoneInCompany"}
"""The deprecated `autoAdmittedUsers` as the examples write it beside each lobby scope (Get
onlineMeeting, examples 1 and 2); Microsoft documents no value for the other scopes."""
TOLL_NUMBER: Final = "+44 20 7946 0123"
TOLL_FREE_NUMBER: Final = "+44 808 157 0192"
"""Dial-in numbers from Ofcom's ranges kept for drama, so no real line is ever shown."""
EXPIRY: Final = timedelta(days=60)
"""An online meeting expires 60 days after its end (onlineMeeting resource, note)."""


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
    writable = (
        set(BOOLEAN_SETTINGS) | set(CHOICE_SETTINGS) | set(KEPT_BOOLEANS) | set(KEPT_VALUES)
    ) | OTHER_WRITABLE_PROPERTIES
    unknown = [name for name in body if name not in writable | READ_ONLY_PROPERTIES]
    if unknown:
        raise bad_request(
            f"Invalid property '{unknown[0]}' on type 'microsoft.graph.onlineMeeting'."
        )
    kept = {name: _boolean(body[name], name) for name in KEPT_BOOLEANS if name in body}
    kept |= {name: body[name] for name in KEPT_VALUES if name in body}
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
    meeting.kept |= kept


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), text)


def _join_web_url(tenant: Tenant, organizer: TenantUser, thread_id: str) -> str:
    context = f'{{"Tid":"{tenant.tenant_id}","Oid":"{organizer.object_id}"}}'
    thread = _lower_escapes(quote(thread_id, safe=""))
    encoded_context = _lower_escapes(quote(context, safe=""))
    return f"https://teams.microsoft.com/l/meetup-join/{thread}/0?context={encoded_context}"


def _typed(annotated: bool, odata_type: str, value: dict[str, Any]) -> dict[str, Any]:
    """`value` with its `@odata.type` first in the annotated shape (Get onlineMeeting,
    example 1), as it is without in the other."""
    return {"@odata.type": f"#microsoft.graph.{odata_type}", **value} if annotated else value


def _identity(
    tenant: Tenant, user_id: str | None, display_name: str | None, annotated: bool
) -> dict[str, Any]:
    user = {
        "id": user_id,
        "displayName": display_name,
        "tenantId": tenant.tenant_id if user_id else None,
        "identityProvider": "AAD",
    }
    return {
        "azureApplicationInstance": None,
        "applicationInstance": None,
        "application": None,
        "device": None,
        "user": _typed(annotated, "identity", user),
    }


def _participant(
    tenant: Tenant,
    upn: str | None,
    role: str,
    identity: tuple[str | None, str | None],
    annotated: bool,
) -> dict[str, Any]:
    """A meetingParticipantInfo; the annotated shape types it as Microsoft's example does."""
    user_id, display_name = identity
    participant = {
        "upn": upn,
        "role": role,
        "identity": _identity(tenant, user_id, display_name, annotated),
    }
    return _typed(annotated, "identitySet", participant)


def _audio_conferencing(meeting: OnlineMeeting) -> dict[str, Any]:
    """The dial-in details; the conference id's key is spelt as the meeting's shape has it."""
    conference_key = "ConferenceId" if meeting.documented_shape == 0 else "conferenceId"
    return {
        "tollNumber": TOLL_NUMBER,
        "tollFreeNumber": TOLL_FREE_NUMBER,
        conference_key: meeting.conference_id,
        "dialinUrl": f"https://dialin.teams.microsoft.com/{meeting.organizer_id}"
        f"?id={meeting.conference_id}",
        "tollNumbers": [TOLL_NUMBER],
        "tollFreeNumbers": [TOLL_FREE_NUMBER],
    }


def _join_information(meeting: OnlineMeeting) -> dict[str, Any]:
    """The invitation text Teams writes for a meeting: a URL-encoded `data:text/html` document
    with the join link and the dial-in details, as in the documented examples."""
    html = (
        f'<div><a href="{meeting.join_web_url}" target="_blank">Join the meeting now</a></div>'
        f"<div>Meeting ID: {' '.join(meeting.join_meeting_id[i : i + 3] for i in range(0, 12, 3))}"
        f"</div><div>Dial in: {TOLL_NUMBER},,{meeting.conference_id}#</div>"
    )
    return {"content": quote_plus(f"data:text/html,{html}", safe="'()"), "contentType": "html"}


def _meeting_options_url(tenant: Tenant, meeting: OnlineMeeting) -> str:
    """The meeting options page, in the form the documented join information links to it."""
    thread = meeting.thread_id.replace(":", "_", 1)
    return (
        "https://teams.microsoft.com/meetingOptions/"
        f"?organizerId={meeting.organizer_id}&tenantId={tenant.tenant_id}"
        f"&threadId={thread}&messageId=0&language=en-GB"
    )


def meeting_context(organizer_id: str) -> str:
    """The `@odata.context` of an answer that is one of this organiser's meetings."""
    return f"https://graph.microsoft.com/v1.0/$metadata#users('{organizer_id}')/onlineMeetings"


def meeting_resource(
    tenant: Tenant, meeting: OnlineMeeting, *, entity: bool = False
) -> dict[str, Any]:
    """The onlineMeeting as Graph writes it; `entity` for an answer that is this meeting alone
    (create, get, update), which carries its `@odata.context`, unlike an item of a list."""
    organizer = tenant.directory.user_by_object_id(meeting.organizer_id)
    annotated = meeting.documented_shape == 0
    resource: dict[str, Any] = {"@odata.type": "#microsoft.graph.onlineMeeting"}
    if entity:
        resource["@odata.context"] = f"{meeting_context(meeting.organizer_id)}/$entity"
    return resource | {
        "id": meeting.id,
        "creationDateTime": graph_datetime(meeting.created_at),
        "startDateTime": graph_datetime(meeting.start),
        "endDateTime": graph_datetime(meeting.end),
        "expiryDateTime": graph_datetime(meeting.end + EXPIRY),
        "joinWebUrl": meeting.join_web_url,
        "meetingOptionsWebUrl": _meeting_options_url(tenant, meeting),
        "meetingType": "scheduled",
        "subject": meeting.subject,
        "isBroadcast": False,
        "externalId": None,
        "meetingTemplateId": None,
        "videoTeleconferenceId": None,
        "cloudVideoInteropInfo": None,
        "audioConferencing": _audio_conferencing(meeting),
        "joinInformation": _join_information(meeting),
        "autoAdmittedUsers": AUTO_ADMITTED.get(meeting.lobby_bypass_scope),
        "isEntryExitAnnounced": meeting.is_entry_exit_announced,
        "allowedPresenters": meeting.allowed_presenters,
        "allowMeetingChat": meeting.allow_meeting_chat,
        "allowTeamworkReactions": meeting.allow_teamwork_reactions,
        "allowAttendeeToEnableCamera": meeting.allow_attendee_to_enable_camera,
        "allowAttendeeToEnableMic": meeting.allow_attendee_to_enable_mic,
        "allowRecording": meeting.allow_recording,
        "allowTranscription": meeting.allow_transcription,
        "recordAutomatically": meeting.record_automatically,
        **KEPT_BOOLEANS,
        **KEPT_VALUES,
        **meeting.kept,
        "lobbyBypassSettings": {
            "scope": meeting.lobby_bypass_scope,
            "isDialInBypassEnabled": meeting.lobby_dial_in_bypass,
        },
        "joinMeetingIdSettings": {
            "isPasscodeRequired": meeting.passcode is not None,
            "joinMeetingId": meeting.join_meeting_id,
            "passcode": meeting.passcode,
        },
        "chatInfo": _typed(
            annotated,
            "chatInfo",
            {"threadId": meeting.thread_id, "messageId": "0", "replyChainMessageId": None},
        ),
        "participants": _typed(
            annotated,
            "meetingParticipants",
            {
                "organizer": _participant(
                    tenant,
                    organizer.user_principal_name if organizer else None,
                    "presenter",
                    (meeting.organizer_id, None),
                    annotated,
                ),
                "attendees": [
                    _participant(
                        tenant,
                        attendee.upn,
                        attendee.role,
                        (attendee.user_id, None if attendee.user_id else attendee.display_name),
                        annotated,
                    )
                    for attendee in meeting.attendees
                ],
                "producers": [],
                "contributors": [],
            },
        ),
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


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def _passcode_required(body: dict[str, Any]) -> bool:
    settings = body.get("joinMeetingIdSettings")
    if settings is None:
        return False
    if not isinstance(settings, dict):
        raise bad_request("Invalid value for 'joinMeetingIdSettings'.")
    return _boolean(settings.get("isPasscodeRequired", False), "isPasscodeRequired")


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
    _apply(tenant, meeting, body)
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
    meeting = _meeting(request, _organizer(request))
    return web.json_response(meeting_resource(request.config_dict[TENANT], meeting, entity=True))


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
