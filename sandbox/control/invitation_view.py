"""A meeting invitation in a sandbox inbox, shown above its text as Outlook shows one: whether
it invites, updates or cancels, when (UK time), and, for a Teams meeting, its join link. The
join link opens the meeting's room in this sandbox, where the link itself leads
(`/l/meetup-join/...`); the link as the invitation carries it is shown beside.

Read from the message's iCalendar part (`METHOD`, `SEQUENCE`, `SUMMARY`, `DTSTART`, `DTEND`,
`X-MICROSOFT-SKYPETEAMSMEETINGURL`, as `sandbox.mail.invitations` writes them); a message
without one, or with one that cannot be read (icalendar raises ValueError, a missing property
KeyError: both `MIME_FAILURES`), shows nothing more. Every value is escaped."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from html import escape
from typing import Any

from aiohttp import web
from icalendar import Calendar

from sandbox.control.page_style import local_time
from sandbox.mail.decoding import MIME_FAILURES, part_text
from sandbox.tenant import Tenant


def _event(message: EmailMessage) -> tuple[str, Any] | None:
    """The message's iCalendar METHOD and its one VEVENT, if it carries a readable one."""
    for part in message.walk():
        if part.get_content_type() != "text/calendar" or not isinstance(part, EmailMessage):
            continue
        try:
            calendar = Calendar.from_ical(part_text(part))
            events = calendar.walk("VEVENT")
            method = str(calendar.get("METHOD", ""))
        except MIME_FAILURES:
            return None
        return (method.upper(), events[0]) if len(events) == 1 else None
    return None


def _when(event: Any) -> str:
    try:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    except MIME_FAILURES:
        return ""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return ""
    return f" {local_time(start)} to {local_time(end)} (UK time)."


def _heading(method: str, event: Any) -> str:
    if method == "CANCEL":
        return "Meeting cancelled"
    sequence = event.get("SEQUENCE", 0)
    return f"Updated meeting invitation (update {sequence})" if sequence else "Meeting invitation"


def _join(request: web.Request, tenant: Tenant, join_url: str) -> str:
    meeting = next((m for m in tenant.meetings.all() if m.join_web_url == join_url), None)
    shown = f"<code>{escape(join_url)}</code>"
    if meeting is None:
        return f"<p class='meta'>Teams join link: {shown} (no meeting in this sandbox has it).</p>"
    room = request.app.router["sandbox-meeting"].url_for(meeting=meeting.id)
    return (
        f"<p><a href='{escape(str(room))}'>Join the meeting now</a></p>"
        f"<p class='meta'>Teams join link: {shown} (it opens the meeting's room in this "
        "sandbox).</p>"
    )


def invitation_summary(request: web.Request, tenant: Tenant, message: EmailMessage) -> str:
    """The invitation `message` carries, as HTML to show above its text; empty if none."""
    found = _event(message)
    if found is None:
        return ""
    method, event = found
    subject = escape(str(event.get("SUMMARY", "")))
    summary = (
        f"<p><strong>{escape(_heading(method, event))}</strong>: {subject}."
        f"{escape(_when(event))}</p>"
    )
    join_url = str(event.get("X-MICROSOFT-SKYPETEAMSMEETINGURL", ""))
    if join_url and method != "CANCEL":
        summary += _join(request, tenant, join_url)
    return f"<div class='invitation'>{summary}</div>"
