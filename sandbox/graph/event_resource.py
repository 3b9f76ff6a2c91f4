"""A Graph calendar `event` as Graph writes it in its answers (`event_resource`): times in UTC
(as Graph gives them without a `Prefer: outlook.timezone` header), the body and its preview,
location, attendees, organiser, the Teams meeting's join details, and the links to the
organiser's calendar that a GET adds.

Answers carry every key of Microsoft's documented examples (`tests/conformance/graph/`).
Documented properties the sandbox does not act on (categories, reminders, importance,
sensitivity, show as, hide attendees) are kept and given back (`KEPT`); a `location` is kept
by its display name.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, Final

from sandbox.events import CalendarEvent
from sandbox.graph.meeting_resource import TOLL_NUMBER
from sandbox.graph_time import graph_datetime
from sandbox.tenant import Tenant

KEPT: Final[dict[str, Any]] = {
    "categories": [],
    "hideAttendees": False,
    "importance": "normal",
    "isReminderOn": True,
    "reminderMinutesBeforeStart": 15,
    "responseRequested": True,
    "sensitivity": "normal",
    "showAs": "busy",
}
"""Documented event properties (Update event lists them as writable) kept and given back, not
acted on, with the values the documented answers show for an event that did not set them."""
NO_DATE: Final = "0001-01-01T00:00:00Z"
PREVIEW: Final = 255
"""How much of the body's text `bodyPreview` gives (event resource: "The preview of the
message associated with the event. It is in text format")."""


def _zoned_out(at: datetime) -> dict[str, str]:
    return {"dateTime": graph_datetime(at).removesuffix("Z"), "timeZone": "UTC"}


def _preview(body_html: str) -> str:
    text = re.sub(r"<[^>]*>", " ", body_html)
    return " ".join(text.split())[:PREVIEW]


def _locations(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`location` and `locations` for a location given by its display name, as Create event's
    example 1 answers its request; Microsoft shows no event made without one (the sandbox's
    empty location is its own)."""
    if not name:
        return {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"}, []
    location = {
        "displayName": name,
        "locationType": "default",
        "uniqueId": name,
        "uniqueIdType": "private",
    }
    listed = {
        "displayName": name,
        "locationType": "default",
        "uniqueId": "",
        "uniqueIdType": "unknown",
    }
    return location, [listed]


def _calendar_links(owner_id: str) -> dict[str, str]:
    """The navigation links to the organiser's calendar a GET gives (Get event, examples 1
    and 2), with a calendar id made from the owner's (the sandbox has one calendar each)."""
    calendar_id = "AAMkAG" + hashlib.sha256(owner_id.encode()).hexdigest()[:40] + "AAA="
    calendar = f"https://graph.microsoft.com/v1.0/users('{owner_id}')/calendars('{calendar_id}')"
    return {
        "calendar@odata.associationLink": f"{calendar}/$ref",
        "calendar@odata.navigationLink": calendar,
    }


def event_resource(
    tenant: Tenant, event: CalendarEvent, *, navigation: bool = False
) -> dict[str, Any]:
    """The event as Graph writes it; `navigation` adds the links to its calendar, as a GET."""
    owner = tenant.directory.user_by_object_id(event.organizer_id)
    organizer = {"name": owner.display_name, "address": owner.mail} if owner else {}
    location, locations = _locations(event.location)
    links = _calendar_links(event.organizer_id) if navigation else {}
    return {
        "@odata.context": (
            f"https://graph.microsoft.com/v1.0/$metadata#users('{event.organizer_id}')"
            "/events/$entity"
        ),
        "@odata.etag": f'W/"{event.change_key}"',
        "id": event.id,
        "createdDateTime": graph_datetime(event.created_at),
        "lastModifiedDateTime": graph_datetime(event.modified_at),
        "changeKey": event.change_key,
        "originalStartTimeZone": event.start_time_zone,
        "originalEndTimeZone": event.end_time_zone,
        "iCalUId": event.ical_uid,
        **KEPT,
        **event.kept,
        "hasAttachments": False,
        "subject": event.subject,
        "bodyPreview": _preview(event.body_html),
        "isAllDay": False,
        "isCancelled": event.is_cancelled,
        "isDraft": False,
        "isOrganizer": True,
        "seriesMasterId": None,
        "transactionId": event.transaction_id,
        "type": "singleInstance",
        "webLink": f"https://outlook.office365.com/owa/?itemid={event.id}&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": event.is_online_meeting,
        "onlineMeetingProvider": event.online_meeting_provider,
        "allowNewTimeProposals": event.allow_new_time_proposals,
        "responseStatus": {"response": "organizer", "time": NO_DATE},
        "body": {"contentType": "html", "content": event.body_html},
        "start": _zoned_out(event.start),
        "end": _zoned_out(event.end),
        "location": location,
        "locations": locations,
        "recurrence": None,
        "attendees": [
            {
                "type": a.kind,
                "status": {"response": "none", "time": NO_DATE},
                "emailAddress": {"name": a.name, "address": a.address},
            }
            for a in event.attendees
        ],
        "organizer": {"emailAddress": organizer},
        "onlineMeeting": (
            None
            if event.join_url is None
            else {
                "joinUrl": event.join_url,
                "conferenceId": event.conference_id,
                "tollNumber": TOLL_NUMBER,
            }
        ),
        **links,
    }
