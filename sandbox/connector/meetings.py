"""Bot Connector v1 meeting routes: meeting details (`GET v1/meetings/{meetingId}`, with the
onlineMeeting's Graph id as `msGraphResourceId`), one participant with their role in the
meeting (`GET v1/meetings/{meetingId}/participants/{participantId}?tenantId=...`; the
participant by `29:` id or Entra object id), and a targeted in-meeting notification
(`POST v1/meetings/{meetingId}/notification`; recipients must be `29:` ids: Entra object ids
and UPNs are refused with 400, as Teams does). Notifications are kept on the live meeting.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.connector.membership import meeting_for, roster_account
from sandbox.connector.protection import ConnectorError
from sandbox.graph_time import graph_datetime, graph_datetime_seconds
from sandbox.teams.live_meetings import invitee, meeting_role

GROUP_CHAT = {"conversationType": "groupChat", "isGroup": True}


def _bad_request(message: str) -> ConnectorError:
    return ConnectorError(400, "BadArgument", message)


async def meeting_details(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting, chat = meeting_for(tenant, request.match_info["meeting"])
    organizer = tenant.directory.user_by_object_id(meeting.organizer_id)
    organizer_account = tenant.teams_accounts.for_user(organizer) if organizer else None
    return web.json_response(
        {
            "details": {
                "id": request.match_info["meeting"],
                "msGraphResourceId": meeting.id,
                "scheduledStartTime": graph_datetime_seconds(meeting.start),
                "scheduledEndTime": graph_datetime_seconds(meeting.end),
                "joinUrl": meeting.join_web_url,
                "title": meeting.subject,
                "type": "Scheduled",
            },
            "conversation": {**GROUP_CHAT, "id": chat.id},
            "organizer": {
                "id": organizer_account.id if organizer_account else None,
                "aadObjectId": meeting.organizer_id,
                "objectId": meeting.organizer_id,
                "tenantId": tenant.tenant_id,
            },
        }
    )


async def meeting_participant(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting, chat = meeting_for(tenant, request.match_info["meeting"])
    tenant_id = request.query.get("tenantId")
    if not tenant_id:
        raise _bad_request("The tenantId query parameter is required.")
    account = roster_account(tenant, meeting, chat, request.match_info["participant"])
    if account.tenant_id is not None and account.tenant_id.lower() != tenant_id.lower():
        raise ConnectorError(404, "NotFound", "The participant is not in this meeting's roster.")
    live = tenant.live_meetings.get(meeting.id)
    attendance = live.attendance.get(account.id) if live is not None else None
    role = (
        attendance.role
        if attendance is not None
        else meeting_role(meeting, account, invitee(meeting, account, None))
    )
    return web.json_response(
        {
            "user": account.channel_account(),
            "meeting": {
                "role": role,
                "inMeeting": attendance is not None and attendance.in_meeting,
            },
            "conversation": {**GROUP_CHAT, "id": chat.id},
        }
    )


def _recipients_and_surfaces(body: Any) -> tuple[list[str], list[Any]]:
    if not isinstance(body, dict) or body.get("type") != "targetedMeetingNotification":
        raise _bad_request("The notification type must be targetedMeetingNotification.")
    value = body.get("value")
    recipients = value.get("recipients") if isinstance(value, dict) else None
    surfaces = value.get("surfaces") if isinstance(value, dict) else None
    if not isinstance(recipients, list) or not recipients:
        raise _bad_request("Recipients must be a non-empty list.")
    if not all(isinstance(r, str) and r.startswith("29:") for r in recipients):
        raise _bad_request(
            "Recipients must be meeting participant ids (29:...); Azure AD object ids and UPNs "
            "are not supported."
        )
    if not isinstance(surfaces, list) or not surfaces:
        raise _bad_request("Surfaces must be a non-empty list.")
    return recipients, surfaces


async def targeted_notification(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting, _ = meeting_for(tenant, request.match_info["meeting"])
    try:
        body = json.loads(await request.text())
    except ValueError as error:
        raise ConnectorError(400, "BadSyntax", "The request body is not valid JSON.") from error
    recipients, surfaces = _recipients_and_surfaces(body)
    live = tenant.live_meetings.get(meeting.id)
    if live is None or live.phase != "started":
        raise ConnectorError(404, "NotFound", "The meeting is not in progress.")
    reached = [r for r in recipients if (a := live.attendance.get(r)) is not None and a.in_meeting]
    if not reached:
        raise ConnectorError(404, "NotFound", "None of the recipients is in the meeting.")
    live.notifications.append(
        {"at": graph_datetime(tenant.now()), "recipients": reached, "surfaces": surfaces}
    )
    missed = [r for r in recipients if r not in reached]
    if not missed:
        return web.Response(status=202)
    failures = [
        {
            "recipientMri": r,
            "errorCode": "ParticipantNotInMeeting",
            "failureReason": "The recipient is not in the meeting.",
        }
        for r in missed
    ]
    return web.json_response({"recipientsFailureInfo": failures}, status=207)


def add_meeting_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/v1/meetings/{meeting}", meeting_details)
    router.add_get("/v1/meetings/{meeting}/participants/{participant}", meeting_participant)
    router.add_post("/v1/meetings/{meeting}/notification", targeted_notification)
