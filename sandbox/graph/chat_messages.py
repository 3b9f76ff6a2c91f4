"""Graph `GET /chats/{id}/messages`: the meeting chat's system event messages for its call, as
Teams posts them: `callStartedEventMessageDetail` when the meeting's call starts and
`callEndedEventMessageDetail` when it ends, newest first.

Read with an application permission (`ChatMessage.Read.All`, `Chat.Read.All`,
`Chat.ReadWrite.All`) or, as the bot does, the resource-specific permission
`ChatMessage.Read.Chat` consented when the app was installed in the chat. Only the call's
system messages are kept here; what people write in the chat is not. Each message and the
list carry every key of Microsoft's documented examples (`tests/conformance/graph/`): a page
of `$top` messages with `@odata.count` (the messages on the page, as Microsoft's examples
count them) and, when more follow, `@odata.nextLink` with an opaque `$skiptoken`."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.protection import CALLER, Denial, GraphRouter
from sandbox.graph_time import graph_datetime
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.live_meetings import LiveMeeting
from sandbox.tenant import Tenant

READ_ALL = frozenset({"ChatMessage.Read.All", "Chat.Read.All", "Chat.ReadWrite.All"})
RSC_READ = "ChatMessage.Read.Chat"
DENIAL = Denial(
    403,
    "Forbidden",
    "Missing role permissions on the request. API requires one of '{roles}', or the "
    f"resource-specific permission {RSC_READ} in the chat.",
)
MOST = 50
UNKNOWN_ENUM_MEMBERS = "include-unknown-enum-members"


def _identity_set(user_id: str | None, name: str | None, kind: str) -> dict[str, Any]:
    user = {"id": user_id, "displayName": name, "userIdentityType": kind}
    return {"application": None, "device": None, "user": user}


def _person(account: TeamsAccount) -> dict[str, Any]:
    """Someone who took part in the call, as a callEndedEventMessageDetail lists them: a tenant
    account (staff or guest) by object id, anyone else as an anonymous guest."""
    if account.aad_object_id is not None:
        return _identity_set(account.aad_object_id, account.name, "aadUser")
    return _identity_set(account.id, account.name, "anonymousGuest")


def _duration(length: timedelta) -> str:
    """An ISO 8601 duration as the documented example writes one (`PT59S`)."""
    seconds = int(length.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours}H" if hours else "", f"{minutes}M" if minutes else ""]
    return "PT" + "".join(parts) + (f"{seconds}S" if seconds or not any(parts) else "")


def _event(
    chat_id: str,
    at: datetime,
    detail: dict[str, Any],
    initiator: dict[str, Any],
    message_type: str,
) -> dict[str, Any]:
    message_id = str(int(at.timestamp() * 1000))
    return {
        "id": message_id,
        "replyToId": None,
        "etag": message_id,
        "messageType": message_type,
        "createdDateTime": graph_datetime(at),
        "lastModifiedDateTime": graph_datetime(at),
        "lastEditedDateTime": None,
        "deletedDateTime": None,
        "subject": None,
        "summary": None,
        "chatId": chat_id,
        "importance": "normal",
        "locale": "en-us",
        "webUrl": None,
        "channelIdentity": None,
        "onBehalfOf": None,
        "policyViolation": None,
        "from": None,
        "body": {"contentType": "html", "content": "<systemEventMessage/>"},
        "attachments": [],
        "mentions": [],
        "reactions": [],
        "messageHistory": [],
        "eventDetail": {**detail, "initiator": initiator},
    }


def _call_events(tenant: Tenant, meeting: LiveMeeting, message_type: str) -> list[dict[str, Any]]:
    online = tenant.meetings.get(meeting.online_meeting_id)
    organiser = _identity_set(online.organizer_id if online else None, None, "aadUser")
    call_id = meeting.teams_meeting_id
    events = []
    if meeting.started_at is not None:
        started = {
            "@odata.type": "#microsoft.graph.callStartedEventMessageDetail",
            "callEventType": "meeting",
            "callId": call_id,
        }
        events.append(
            _event(meeting.thread_id, meeting.started_at, started, organiser, message_type)
        )
    if meeting.ended_at is not None:
        ended = {
            "@odata.type": "#microsoft.graph.callEndedEventMessageDetail",
            "callEventType": "meeting",
            "callId": call_id,
            "callDuration": _duration(meeting.ended_at - (meeting.started_at or meeting.ended_at)),
            "callParticipants": [
                {"participant": _person(attendance.account)}
                for attendance in meeting.attendance.values()
            ],
        }
        events.append(_event(meeting.thread_id, meeting.ended_at, ended, organiser, message_type))
    return sorted(events, key=lambda e: e["createdDateTime"], reverse=True)


def _message_type(request: web.Request) -> str:
    """`systemEventMessage` is an evolvable enum member: Graph names it only when the request
    says `Prefer: include-unknown-enum-members`, and calls it `unknownFutureValue` otherwise
    (https://learn.microsoft.com/graph/api/resources/chatmessage, messageType;
    https://learn.microsoft.com/graph/api/chat-list-messages, examples 1 and 2)."""
    preferences = {p.strip() for p in request.headers.get("Prefer", "").split(",")}
    if UNKNOWN_ENUM_MEMBERS in preferences:
        return "systemEventMessage"
    return "unknownFutureValue"


def _may_read(request: web.Request, tenant: Tenant, chat_id: str) -> bool:
    caller = request[CALLER]
    if caller.roles & READ_ALL:
        return True
    chat = tenant.chats.get(chat_id)
    if chat is None:
        return False
    return any(
        RSC_READ in {p.value for p in installation.consented_permissions}
        and (app := tenant.catalog_app(installation.catalog_app_id)) is not None
        and app.azure_ad_app_id == caller.app.client_id
        for installation in chat.installed_apps
    )


async def list_chat_messages(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    chat_id = request.match_info["chat"]
    if not _may_read(request, tenant, chat_id):
        roles = ", ".join(sorted(READ_ALL))
        raise GraphError(DENIAL.status, DENIAL.code, DENIAL.message.replace("{roles}", roles))
    top = request.query.get("$top", str(MOST))
    if not top.isdigit() or not 1 <= int(top) <= MOST:
        raise bad_request(f"$top must be a whole number from 1 to {MOST}.")
    meeting = tenant.live_meetings.by_thread(chat_id)
    if meeting is None and tenant.chats.get(chat_id) is None:
        raise GraphError(404, "NotFound", "The chat was not found.")
    events = [] if meeting is None else _call_events(tenant, meeting, _message_type(request))
    skip = _skipped(request.query.get("$skiptoken"))
    page = events[skip : skip + int(top)]
    context = (
        f"https://graph.microsoft.com/v1.0/$metadata#chats('{quote(chat_id, safe='')}')/messages"
    )
    body: dict[str, Any] = {"@odata.context": context, "@odata.count": len(page), "value": page}
    if skip + int(top) < len(events):
        following = base64.urlsafe_b64encode(f"skip:{skip + int(top)}".encode()).decode()
        body["@odata.nextLink"] = str(
            request.url.with_query({"$top": top, "$skiptoken": following})
        )
    return web.json_response(body)


def _skipped(token: str | None) -> int:
    """How many messages an opaque `$skiptoken` of ours has the page start after."""
    if token is None:
        return 0
    try:
        kind, _, skip = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The $skiptoken is not valid.") from None
    if kind != "skip" or not skip.isdigit():
        raise bad_request("The $skiptoken is not valid.")
    return int(skip)


def add_chat_message_routes(graph: GraphRouter) -> None:
    graph.add("GET", "/chats/{chat}/messages", list_chat_messages, roles=None, denial=DENIAL)
