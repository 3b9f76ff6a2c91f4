"""Graph cloud communications under `/communications/calls`: join a meeting
(`POST /communications/calls` with `serviceHostedMediaConfig`, `chatInfo.threadId` and
`organizerMeetingInfo`; 201 with the call in state establishing, then comms notifications),
read a call, list its participants (the same resources as its roster notifications), play
prompts (`POST .../playPrompt`; queued behind the call's earlier prompts, the WAVs are fetched
and checked, and the finished operation is notified as `changeType: deleted`), and hang up
(`DELETE`, 204).

As in Graph, joining needs one of the calling permissions; the other actions only need the
call to be the caller's own (permissions are checked when a call is created). Call ids are
accepted in any case, with or without hyphens. Only service-hosted media is emulated.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.app_keys import CALLING, TENANT
from sandbox.calls.calls import Call
from sandbox.calls.resources import call_resource, listed, operation_resource, roster
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.odata import json_object
from sandbox.graph.protection import Denial, GraphRouter, caller_of
from sandbox.ids import new_guid
from sandbox.registration import LOOPBACK_HOSTS
from sandbox.tenant import Tenant

CALL_ROLES = frozenset(
    {
        "Calls.JoinGroupCall.All",
        "Calls.JoinGroupCallAsGuest.All",
        "Calls.InitiateGroupCall.All",
        "Calls.Initiate.All",
    }
)
DENIAL = Denial(
    403,
    "Forbidden",
    "Application is not authorized to perform this action. Requires one of '{roles}'.",
)
SERVICE_HOSTED_MEDIA = "#microsoft.graph.serviceHostedMediaConfig"
ORGANIZER_MEETING_INFO = "#microsoft.graph.organizerMeetingInfo"
PARTICIPANTS_CONTEXT = (
    "https://graph.microsoft.com/v1.0/$metadata#communications/calls('{call}')/participants"
)
MAX_PROMPTS = 20
MAX_CLIENT_CONTEXT = 256


def _reachable_url(value: object, name: str) -> str:
    """An https URL (or http on a loopback address, for local development)."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is not None and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    ):
        return str(value)
    raise bad_request(f"{name} must be an https URL.")


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise bad_request(f"{name} is required.")
    return value


def _joined_meeting(tenant: Tenant, body: dict[str, Any]) -> tuple[str, str]:
    """The meeting chat's thread id and the organiser's object id the request names."""
    thread_id = _object(body, "chatInfo").get("threadId")
    meeting_info = _object(body, "meetingInfo")
    if meeting_info.get("@odata.type", ORGANIZER_MEETING_INFO) != ORGANIZER_MEETING_INFO:
        raise bad_request("The sandbox joins meetings by organizerMeetingInfo only.")
    organizer = ((meeting_info.get("organizer") or {}).get("user") or {}).get("id")
    chat = tenant.chats.get(thread_id) if isinstance(thread_id, str) else None
    meeting = tenant.meetings.get(chat.online_meeting_id or "") if chat is not None else None
    if chat is None or meeting is None:
        raise GraphError(404, "NotFound", "The meeting in chatInfo.threadId was not found.")
    if not isinstance(organizer, str) or organizer.lower() != meeting.organizer_id.lower():
        raise bad_request("meetingInfo.organizer does not match the meeting's organizer.")
    return chat.id, meeting.organizer_id


def _organizer_name(tenant: Tenant, organizer_id: str) -> str | None:
    organizer = tenant.directory.user_by_object_id(organizer_id)
    return None if organizer is None else organizer.display_name


async def create_call(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    caller = caller_of(request)
    body = await json_object(request)
    media_config = _object(body, "mediaConfig")
    if media_config.get("@odata.type") != SERVICE_HOSTED_MEDIA:
        raise bad_request("The sandbox emulates calls with serviceHostedMediaConfig only.")
    tenant_id = body.get("tenantId")
    if tenant_id is not None and str(tenant_id).lower() != tenant.tenant_id.lower():
        raise GraphError(403, "Forbidden", "The meeting's tenant is not the caller's tenant.")
    thread_id, organizer_id = _joined_meeting(tenant, body)
    modalities = body.get("requestedModalities") or ["audio"]
    call = Call(
        id=new_guid(),
        app_id=caller.app.client_id,
        app_display_name=caller.app.display_name,
        callback_uri=_reachable_url(body.get("callbackUri"), "callbackUri"),
        thread_id=thread_id,
        organizer_id=organizer_id,
        organizer_name=_organizer_name(tenant, organizer_id),
        tenant_id=tenant.tenant_id,
        created_at=tenant.now(),
        requested_modalities=[str(m) for m in modalities],
        media_config={
            "@odata.type": SERVICE_HOSTED_MEDIA,
            "preFetchMedia": media_config.get("preFetchMedia") or [],
        },
    )
    created = call_resource(call)
    request.config_dict[CALLING].joined(call)
    return web.json_response(created, status=201, headers={"Location": str(request.url / call.id)})


def _own_call(request: web.Request) -> Call:
    call = request.config_dict[TENANT].calls.get(request.match_info["call"])
    if call is None or call.app_id != caller_of(request).app.client_id:
        raise GraphError(404, "NotFound", "The call was not found.")
    return call


async def get_call(request: web.Request) -> web.Response:
    return web.json_response(call_resource(_own_call(request)))


async def list_participants(request: web.Request) -> web.Response:
    """The call's participants, the bot among them, as `GET .../participants` lists them:
    the resources its roster notifications carry, with the `null`s of Microsoft's example."""
    call = _own_call(request)
    tenant = request.config_dict[TENANT]
    meeting = tenant.live_meetings.by_thread(call.thread_id) if call.live else None
    present = meeting.present() if meeting is not None else []
    context = PARTICIPANTS_CONTEXT.format(call=call.id)
    participants = [listed(participant) for participant in roster(call, present)]
    return web.json_response({"@odata.context": context, "value": participants})


def _prompt_uris(body: dict[str, Any]) -> list[str]:
    prompts = body.get("prompts")
    if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_PROMPTS:
        raise bad_request(f"prompts must list 1 to {MAX_PROMPTS} mediaPrompts.")
    uris = []
    for prompt in prompts:
        media_info = prompt.get("mediaInfo") if isinstance(prompt, dict) else None
        uri = media_info.get("uri") if isinstance(media_info, dict) else None
        uris.append(_reachable_url(uri, "mediaInfo.uri"))
    return uris


async def play_prompt(request: web.Request) -> web.Response:
    call = _own_call(request)
    body = await json_object(request)
    uris = _prompt_uris(body)
    client_context = body.get("clientContext")
    if client_context is not None and (
        not isinstance(client_context, str) or len(client_context) > MAX_CLIENT_CONTEXT
    ):
        raise bad_request(
            f"clientContext must be a string of at most {MAX_CLIENT_CONTEXT} characters."
        )
    if call.state != "established":
        raise bad_request(f"The call is {call.state}; prompts play only in an established call.")
    operation = request.config_dict[CALLING].play(call, client_context, uris)
    return web.json_response(
        operation_resource(operation),
        headers={"Location": str(request.url.parent / "operations" / operation.id)},
    )


async def delete_call(request: web.Request) -> web.Response:
    call = _own_call(request)
    if call.live:
        request.config_dict[CALLING].hang_up(call)
    return web.Response(status=204)


def add_communications_routes(graph: GraphRouter) -> None:
    graph.add("POST", "/communications/calls", create_call, roles=CALL_ROLES, denial=DENIAL)
    graph.add("GET", "/communications/calls/{call}", get_call, roles=CALL_ROLES, denial=DENIAL)
    graph.add(
        "GET",
        "/communications/calls/{call}/participants",
        list_participants,
        roles=CALL_ROLES,
        denial=DENIAL,
    )
    graph.add(
        "POST",
        "/communications/calls/{call}/playPrompt",
        play_prompt,
        roles=CALL_ROLES,
        denial=DENIAL,
    )
    graph.add(
        "DELETE", "/communications/calls/{call}", delete_call, roles=CALL_ROLES, denial=DENIAL
    )
