"""Meeting invitations as Exchange sends them for an organiser's calendar event: a message
from the organiser to the attendees whose `text/calendar` part carries the iCalendar
(RFC 5546) `METHOD:REQUEST` for a new or changed event, or `METHOD:CANCEL`, with the event's
UID and a SEQUENCE that rises with each update. An online meeting's join URL is in the body
and in the `X-MICROSOFT-SKYPETEAMSMEETINGURL` property, as Teams meetings made in Outlook
carry it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from html import escape
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

from sandbox.events import CalendarEvent, EventAttendee
from sandbox.ids import exchange_message_id
from sandbox.mail.authentication import internal_headers
from sandbox.mail.composer import Party
from sandbox.mail.html_text import html_to_text
from sandbox.mail.mailboxes import MailSystem

Method = Literal["REQUEST", "CANCEL"]
TEAMS_LOCATION = "Microsoft Teams Meeting"


def _calendar(
    event: CalendarEvent,
    organizer: Party,
    attendees: Sequence[EventAttendee],
    method: Method,
    description: str,
    now: datetime,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "Microsoft Exchange Server 2010")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    vevent = Event()
    who = vCalAddress(f"mailto:{organizer.address}")
    who.params["CN"] = vText(organizer.name)
    vevent.add("organizer", who)
    for attendee in attendees:
        address = vCalAddress(f"mailto:{attendee.address}")
        address.params["ROLE"] = vText("REQ-PARTICIPANT")
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
        if attendee.name:
            address.params["CN"] = vText(attendee.name)
        vevent.add("attendee", address)
    vevent.add("uid", event.ical_uid)
    vevent.add("summary", event.subject)
    vevent.add("description", description)
    vevent.add("dtstart", event.start)
    vevent.add("dtend", event.end)
    vevent.add("dtstamp", now)
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if event.join_url:
        vevent.add("location", TEAMS_LOCATION)
        vevent.add("x-microsoft-skypeteamsmeetingurl", event.join_url)
    calendar.add_component(vevent)
    ical: bytes = calendar.to_ical()
    return ical


def _html(event: CalendarEvent, method: Method, comment: str) -> str:
    if method == "CANCEL":
        return f"<html><body><p>{escape(comment)}</p></body></html>"
    join = ""
    if event.join_url:
        link = escape(event.join_url, quote=True)
        join = (
            "<hr><p><b>Microsoft Teams meeting</b></p>"
            f'<p><a href="{link}">Join the meeting now</a></p>'
        )
    return f"<html><body>{event.body_html}{join}</body></html>"


def send_invitation(
    mail: MailSystem,
    event: CalendarEvent,
    organizer: Party,
    recipients: Sequence[EventAttendee],
    method: Method,
    *,
    comment: str = "",
    now: datetime,
    tenant_domain: str,
) -> None:
    """Send `method` for the event, at its current SEQUENCE, from the organiser to
    `recipients` (every attendee is listed in the iCalendar part of a request)."""
    if not recipients:
        return
    html = _html(event, method, comment)
    text = html_to_text(html)
    message = EmailMessage(policy=default_policy)
    message["From"] = organizer.header_value
    message["To"] = ", ".join(Party(a.name, a.address).header_value for a in recipients)
    message["Subject"] = f"Canceled: {event.subject}" if method == "CANCEL" else event.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = exchange_message_id()
    message["Content-Language"] = "en-GB"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    listed = event.attendees if method == "REQUEST" else recipients
    message.add_alternative(
        _calendar(event, organizer, listed, method, text, now).decode("utf-8"),
        subtype="calendar",
        params={"method": method},
    )
    mail.deliver(message, [a.address for a in recipients], internal_headers(tenant_domain))
