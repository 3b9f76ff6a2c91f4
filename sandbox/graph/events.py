"""Graph `event` in a user's calendar (`/users/{id | userPrincipalName}/events`, also under
`/calendar/events`): create, get, update and cancel, as Exchange does for the organiser.

- The app needs Calendars.ReadWrite (Calendars.Read or ReadWrite to read), and the calling
  app's Exchange RBAC for Applications scope for calendars must cover the mailbox.
- `start` and `end` are `dateTimeTimeZone`: a wall clock time in an IANA zone or one of a few
  Windows zone names (`WINDOWS_ZONES`); answers give them in UTC, as Graph does without a
  `Prefer: outlook.timezone` header.
- An event with `isOnlineMeeting` and `onlineMeetingProvider` `teamsForBusiness` (or none,
  the calendar's default) gets a Teams meeting (`open_online_meeting`, Teams' default
  settings) whose join URL is the event's `onlineMeeting.joinUrl`; changing the event's
  subject, times or attendees changes the meeting too.
- Answers (`sandbox.graph.event_resource`) carry every key of Microsoft's documented examples
  (`tests/conformance/graph/`). Documented properties the sandbox does not act on (categories,
  reminders, importance, sensitivity, show as, hide attendees) are kept and given back; a
  `location` is kept by its display name; recurrence is not emulated (a recurring event is
  refused).
- Exchange sends the invitations (`sandbox.mail.invitations`): a REQUEST to every attendee
  when the event is made; on a change of subject, body, times or attendees, the SEQUENCE rises
  and a REQUEST goes to everyone still invited and a CANCEL to anyone removed; the `cancel`
  action (202) sends a CANCEL carrying its comment and the event leaves the calendar (404 from
  then on). The online meeting is left as it is: Microsoft documents nothing about it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.directory import TenantUser
from sandbox.events import CalendarEvent, EventAttendee
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.event_resource import KEPT, event_resource
from sandbox.graph.odata import json_object
from sandbox.graph.online_meetings import change_online_meeting, open_online_meeting
from sandbox.graph.protection import Denial, GraphRouter, caller_of
from sandbox.graph_time import graph_datetime_seconds
from sandbox.ids import exchange_item_id, urlsafe_token
from sandbox.mail.composer import Party
from sandbox.mail.invitations import Method, send_invitation
from sandbox.tenant import Tenant

WRITE_ROLES = frozenset({"Calendars.ReadWrite"})
READ_ROLES = frozenset({"Calendars.Read", "Calendars.ReadWrite"})
DENIAL = Denial(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
WINDOWS_ZONES: Final = {
    "GMT Standard Time": "Europe/London",
    "UTC": "UTC",
    "Pacific Standard Time": "America/Los_Angeles",
}
WRITABLE: Final = frozenset(
    {
        "subject", "body", "start", "end", "attendees", "isOnlineMeeting",
        "onlineMeetingProvider", "allowNewTimeProposals", "location", "recurrence", "@odata.type",
    }
) | frozenset(KEPT)  # fmt: skip
CREATE_ONLY: Final = frozenset({"transactionId"})
IGNORED: Final = frozenset({"originalStartTimeZone", "originalEndTimeZone", "responseStatus"})
"""Sent by Update event's own example, which the page does not list as writable: accepted and
left as they are (Microsoft documents no error for them)."""


def read_zoned_time(value: object, name: str) -> tuple[datetime, str]:
    """A `dateTimeTimeZone` as a UTC time, with the zone it was given in."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise bad_request(f"Invalid value for '{name}'.")
    zone_name = str(value.get("timeZone") or "UTC")
    try:
        zone = ZoneInfo(WINDOWS_ZONES.get(zone_name, zone_name))
        wall = datetime.fromisoformat(value["dateTime"][:19])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise GraphError(
            400, "TimeZoneNotSupportedException", f"A valid TimeZone value must be specified. "
            f"The following TimeZone value is not supported: '{zone_name}'."
        ) from error  # fmt: skip
    if wall.tzinfo is not None:
        raise bad_request(f"Invalid value for '{name}'.")
    return wall.replace(tzinfo=zone).astimezone(UTC), zone_name


def _attendees(tenant: Tenant, value: object) -> list[EventAttendee]:
    if not isinstance(value, list):
        raise bad_request("Invalid value for 'attendees'.")
    attendees: dict[str, EventAttendee] = {}
    for raw in value:
        email = raw.get("emailAddress") if isinstance(raw, dict) else None
        address = email.get("address") if isinstance(email, dict) else None
        if not isinstance(email, dict) or not isinstance(address, str) or "@" not in address:
            raise bad_request("An attendee needs an email address.")
        name = email.get("name") or tenant.directory.display_name_for(address)
        kind = str(raw.get("type") or "required").lower()
        attendees.setdefault(address.lower(), EventAttendee(address, name or address, kind))
    return list(attendees.values())


def _location(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, dict) or not isinstance(value.get("displayName", ""), str):
        raise bad_request("Invalid value for 'location'.")
    return str(value.get("displayName", ""))


def _changes(
    tenant: Tenant, body: dict[str, Any], also: frozenset[str] = frozenset()
) -> dict[str, Any]:
    unknown = [name for name in body if name not in WRITABLE | IGNORED | also]
    if unknown:
        raise bad_request(f"Invalid property '{unknown[0]}' on type 'microsoft.graph.event'.")
    if body.get("recurrence") is not None:
        raise bad_request("Recurring events are not emulated by the sandbox.")
    changes: dict[str, Any] = {}
    kept = {name: body[name] for name in KEPT if name in body}
    if kept:
        changes["kept"] = kept
    if "location" in body:
        changes["location"] = _location(body["location"])
    if "subject" in body:
        changes["subject"] = str(body["subject"] or "")
    if "body" in body:
        content = body["body"] if isinstance(body["body"], dict) else {}
        text = str(content.get("content") or "")
        is_html = str(content.get("contentType") or "text").lower() == "html"
        changes["body_html"] = text if is_html else f"<p>{text}</p>"
    for name in ("start", "end"):
        if name in body:
            changes[name], changes[f"{name}_time_zone"] = read_zoned_time(body[name], name)
    if "attendees" in body:
        changes["attendees"] = _attendees(tenant, body["attendees"])
    if "allowNewTimeProposals" in body:
        changes["allow_new_time_proposals"] = bool(body["allowNewTimeProposals"])
    return changes


def _owner(request: web.Request) -> TenantUser:
    tenant = request.config_dict[TENANT]
    segment = request.match_info["user"]
    user = tenant.directory.user(segment)
    if user is None:
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{segment}' is invalid.")
    if user.object_id not in caller_of(request).app.calendar_scope_user_ids:
        raise GraphError(DENIAL.status, DENIAL.code, DENIAL.message)
    return user


def _event(request: web.Request, owner: TenantUser) -> CalendarEvent:
    event = request.config_dict[TENANT].events.get(request.match_info["event"])
    if event is None or event.organizer_id != owner.object_id:
        raise GraphError(
            404, "ErrorItemNotFound", "The specified object was not found in the store."
        )
    return event


def _meeting_body(event: CalendarEvent) -> dict[str, Any]:
    return {
        "subject": event.subject,
        "startDateTime": graph_datetime_seconds(event.start),
        "endDateTime": graph_datetime_seconds(event.end),
        "participants": {"attendees": [{"upn": a.address} for a in event.attendees]},
    }


def _invite(
    tenant: Tenant,
    event: CalendarEvent,
    recipients: list[EventAttendee],
    method: Method,
    comment: str = "",
) -> None:
    owner = tenant.directory.user_by_object_id(event.organizer_id)
    assert owner is not None
    send_invitation(
        tenant.mail,
        event,
        Party(owner.display_name, owner.mail),
        recipients,
        method,
        comment=comment,
        now=tenant.now(),
        tenant_domain=tenant.domain,
    )


async def create_event(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    owner = _owner(request)
    body = await json_object(request)
    changes = _changes(tenant, body, also=CREATE_ONLY)
    if "start" not in changes or "end" not in changes:
        raise bad_request("An event needs a start and an end.")
    now = tenant.now()
    provider = str(body.get("onlineMeetingProvider") or "")
    online = bool(body.get("isOnlineMeeting")) or provider == "teamsForBusiness"
    event = CalendarEvent(
        id=exchange_item_id("AAMkAG"),
        organizer_id=owner.object_id,
        ical_uid="040000008200E00074C5B7101A82E008" + secrets.token_hex(32).upper(),
        subject="",
        body_html="",
        start=changes["start"],
        end=changes["end"],
        start_time_zone=changes["start_time_zone"],
        end_time_zone=changes["end_time_zone"],
        attendees=[],
        created_at=now,
        modified_at=now,
        change_key=urlsafe_token(21),
    )
    for attribute, value in changes.items():
        setattr(event, attribute, value)
    transaction = body.get("transactionId")
    event.transaction_id = None if transaction is None else str(transaction)
    if online:
        meeting = open_online_meeting(tenant, owner, _meeting_body(event), passcode=True)
        event.is_online_meeting = True
        event.online_meeting_provider = provider or "teamsForBusiness"
        event.online_meeting_id = meeting.id
        event.join_url = meeting.join_web_url
        event.conference_id = meeting.conference_id
    tenant.events.add(event)
    _invite(tenant, event, event.attendees, "REQUEST")
    return web.json_response(event_resource(tenant, event), status=201)


async def get_event(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    event = _event(request, _owner(request))
    return web.json_response(event_resource(tenant, event, navigation=True))


async def update_event(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    event = _event(request, _owner(request))
    changes = _changes(tenant, await json_object(request))
    if "kept" in changes:
        changes["kept"] = event.kept | changes["kept"]
    still_invited = {a.address.lower() for a in changes.get("attendees", event.attendees)}
    removed = [a for a in event.attendees if a.address.lower() not in still_invited]
    changed = {k for k, v in changes.items() if getattr(event, k) != v}
    for attribute, value in changes.items():
        setattr(event, attribute, value)
    if not changed:
        return web.json_response(event_resource(tenant, event))
    event.modified_at = tenant.now()
    event.change_key = urlsafe_token(21)
    meeting = tenant.meetings.get(event.online_meeting_id or "")
    if meeting is not None and changed & {"subject", "start", "end", "attendees"}:
        change_online_meeting(tenant, meeting, _meeting_body(event))
    if changed & {"subject", "body_html", "start", "end", "attendees"}:
        event.sequence += 1
        _invite(tenant, event, event.attendees, "REQUEST")
        _invite(tenant, event, removed, "CANCEL", "You have been removed from this meeting.")
    return web.json_response(event_resource(tenant, event))


async def cancel_event(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    event = _event(request, _owner(request))
    body = await json_object(request) if request.can_read_body else {}
    comment = body.get("comment", body.get("Comment", ""))
    event.sequence += 1
    event.modified_at = tenant.now()
    _invite(tenant, event, event.attendees, "CANCEL", str(comment or ""))
    tenant.events.cancel(event)
    return web.Response(status=202)


def add_event_routes(graph: GraphRouter) -> None:
    for base in ("/users/{user}/events", "/users/{user}/calendar/events"):
        graph.add("POST", base, create_event, roles=WRITE_ROLES, denial=DENIAL)
        graph.add("GET", base + "/{event}", get_event, roles=READ_ROLES, denial=DENIAL)
        graph.add("PATCH", base + "/{event}", update_event, roles=WRITE_ROLES, denial=DENIAL)
        graph.add("POST", base + "/{event}/cancel", cancel_event, roles=WRITE_ROLES, denial=DENIAL)
