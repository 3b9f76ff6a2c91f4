"""Graph's recordings and transcripts of online meetings, and who holds an app's roles.

- `GET /users/{id}/onlineMeetings/{meetingId}/recordings` and `/transcripts` (and one by id):
  the callRecording and callTranscript objects Teams made, ids and times only (the sandbox
  keeps no content); a list carries `@odata.context` and `@odata.count`, as List recordings'
  example does. Application permissions OnlineMeetingRecording.Read.All and
  OnlineMeetingTranscript.Read.All, and the application access policy for the organiser, as
  for the meeting itself.
- `GET /servicePrincipals(appId='{appId}')` (its `appRoles`) and
  `GET /servicePrincipals/{id}/appRoleAssignedTo` (the users assigned them), Application.Read.All.
  Each app role has a fixed id made from the app and the role's value.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.graph.errors import GraphError
from sandbox.graph.online_meetings import organizer_of_request
from sandbox.graph.protection import Denial, GraphRouter
from sandbox.recordings import ArtefactKind
from sandbox.registration import AppRegistration

RECORDING_ROLES = frozenset({"OnlineMeetingRecording.Read.All"})
TRANSCRIPT_ROLES = frozenset({"OnlineMeetingTranscript.Read.All"})
APPLICATION_ROLES = frozenset(
    {"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"}
)
DENIAL = Denial(
    403, "Forbidden", "Missing role permissions on the request. API requires one of '{roles}'."
)
ROLE_IDS = uuid.UUID("6a1e6d1c-2b7f-4c8e-9a3d-5f0b4c2e7d91")


def app_role_id(app: AppRegistration, value: str) -> str:
    """The id of the app's role `value` (stable for the app and the value)."""
    return str(uuid.uuid5(ROLE_IDS, f"{app.client_id}/{value}"))


def _base(request: web.Request) -> str:
    return f"{request.url.origin()}/v1.0"


def _listing(request: web.Request, kind: ArtefactKind) -> web.Response:
    tenant = request.config_dict[TENANT]
    organizer = organizer_of_request(request)
    meeting = tenant.meetings.get(request.match_info["meeting"])
    if meeting is None or meeting.organizer_id != organizer.object_id:
        raise GraphError(404, "NotFound", "The specified online meeting was not found.")
    found = tenant.recordings.of_meeting(meeting.id, kind)
    context = (
        f"https://graph.microsoft.com/v1.0/$metadata#users('{organizer.object_id}')"
        f"/onlineMeetings('{meeting.id}')/{kind}s"
    )
    return web.json_response(
        {
            "@odata.context": context,
            "@odata.count": len(found),
            "value": [a.graph_resource(_base(request)) for a in found],
        }
    )


def _one(request: web.Request, kind: ArtefactKind) -> web.Response:
    tenant = request.config_dict[TENANT]
    organizer = organizer_of_request(request)
    meeting = tenant.meetings.get(request.match_info["meeting"])
    artefact = (
        tenant.recordings.get(meeting.id, kind, request.match_info["item"])
        if meeting is not None and meeting.organizer_id == organizer.object_id
        else None
    )
    if artefact is None:
        raise GraphError(404, "NotFound", f"The {kind} was not found.")
    return web.json_response(artefact.graph_resource(_base(request)))


async def list_recordings(request: web.Request) -> web.Response:
    return _listing(request, "recording")


async def list_transcripts(request: web.Request) -> web.Response:
    return _listing(request, "transcript")


async def get_recording(request: web.Request) -> web.Response:
    return _one(request, "recording")


async def get_transcript(request: web.Request) -> web.Response:
    return _one(request, "transcript")


def _app(request: web.Request) -> AppRegistration:
    tenant = request.config_dict[TENANT]
    app = next((a for a in tenant.apps if a.client_id == request.match_info["app"]), None)
    if app is None:
        raise GraphError(404, "Request_ResourceNotFound", "Resource does not exist.")
    return app


def _service_principal(app: AppRegistration) -> dict[str, Any]:
    values = sorted({a.role for a in app.app_role_assignments})
    return {
        "id": app.service_principal_id,
        "appId": app.client_id,
        "appRoles": [
            {
                "id": app_role_id(app, value),
                "value": value,
                "displayName": value,
                "allowedMemberTypes": ["User"],
                "isEnabled": True,
                "origin": "Application",
                "description": value,
            }
            for value in values
        ],
    }


async def get_service_principal(request: web.Request) -> web.Response:
    return web.json_response(_service_principal(_app(request)))


async def list_app_role_assigned_to(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    app = next(
        (a for a in tenant.apps if a.service_principal_id == request.match_info["principal"]),
        None,
    )
    if app is None:
        raise GraphError(404, "Request_ResourceNotFound", "Resource does not exist.")
    assignments = []
    for assignment in app.app_role_assignments:
        user = tenant.directory.user_by_object_id(assignment.user_id)
        assignments.append(
            {
                "id": str(uuid.uuid5(ROLE_IDS, f"{assignment.user_id}/{assignment.role}")),
                "appRoleId": app_role_id(app, assignment.role),
                "principalId": assignment.user_id,
                "principalType": "User",
                "principalDisplayName": user.display_name if user else None,
                "resourceId": app.service_principal_id,
                "resourceDisplayName": app.display_name,
            }
        )
    return web.json_response({"value": assignments})


def add_recording_routes(graph: GraphRouter) -> None:
    meeting = "/users/{user}/onlineMeetings/{meeting}"
    graph.add("GET", f"{meeting}/recordings", list_recordings, roles=RECORDING_ROLES, denial=DENIAL)
    graph.add(
        "GET", f"{meeting}/recordings/{{item}}", get_recording, roles=RECORDING_ROLES, denial=DENIAL
    )
    graph.add(
        "GET", f"{meeting}/transcripts", list_transcripts, roles=TRANSCRIPT_ROLES, denial=DENIAL
    )
    graph.add(
        "GET",
        f"{meeting}/transcripts/{{item}}",
        get_transcript,
        roles=TRANSCRIPT_ROLES,
        denial=DENIAL,
    )
    graph.add(
        "GET",
        "/servicePrincipals(appId='{app}')",
        get_service_principal,
        roles=APPLICATION_ROLES,
        denial=DENIAL,
    )
    graph.add(
        "GET",
        "/servicePrincipals/{principal}/appRoleAssignedTo",
        list_app_role_assigned_to,
        roles=APPLICATION_ROLES,
        denial=DENIAL,
    )
