"""Calendar events held by the tenant's Exchange: each organiser's meetings, with the Teams
meeting made for an online event, and the invitations sent for them (by sequence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class EventAttendee:
    address: str
    name: str
    kind: str = "required"


@dataclass
class CalendarEvent:
    """An event in its organiser's calendar. `sequence` is the iCalendar SEQUENCE of the last
    invitation sent; `online_meeting_id` and `join_url` are its Teams meeting's."""

    id: str
    organizer_id: str
    ical_uid: str
    subject: str
    body_html: str
    start: datetime
    end: datetime
    start_time_zone: str
    end_time_zone: str
    attendees: list[EventAttendee]
    created_at: datetime
    modified_at: datetime
    change_key: str
    is_online_meeting: bool = False
    online_meeting_provider: str = "unknown"
    online_meeting_id: str | None = None
    join_url: str | None = None
    conference_id: str | None = None
    allow_new_time_proposals: bool = True
    location: str = ""
    transaction_id: str | None = None
    kept: dict[str, Any] = field(default_factory=dict)
    """Documented properties given when the event was made or changed that the sandbox gives
    back but does not act on (categories, reminders, importance...), by their Graph names."""
    sequence: int = 0
    is_cancelled: bool = False


@dataclass
class EventStore:
    """The tenant's events by id; a cancelled event leaves the organiser's calendar (Exchange
    moves it to Deleted Items under a new id) and is kept in `cancelled` for tests."""

    _events: dict[str, CalendarEvent] = field(default_factory=dict)
    cancelled: list[CalendarEvent] = field(default_factory=list)

    def add(self, event: CalendarEvent) -> None:
        self._events[event.id] = event

    def get(self, event_id: str) -> CalendarEvent | None:
        return self._events.get(event_id)

    def of_organizer(self, organizer_id: str) -> list[CalendarEvent]:
        return [e for e in self._events.values() if e.organizer_id == organizer_id]

    def cancel(self, event: CalendarEvent) -> None:
        event.is_cancelled = True
        self._events.pop(event.id, None)
        self.cancelled.append(event)
