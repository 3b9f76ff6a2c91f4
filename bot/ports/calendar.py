"""The organiser's calendar: the event behind each Teams meeting, made, moved and cancelled
through Exchange so that it sends the invitations, updates and cancellations people expect.
`organiser_id` is the organiser's directory object id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class EventWithoutJoinUrl(RuntimeError):
    """The calendar created the event but did not give its Teams join URL."""

    def __init__(self, event_id: str) -> None:
        super().__init__("Graph created the event but gave no Teams join URL")
        self.event_id = event_id


@dataclass(frozen=True)
class CreatedEvent:
    id: str
    join_url: str


class Calendar(Protocol):
    async def create(
        self,
        organiser_id: str,
        subject: str,
        body_html: str,
        starts_at: datetime,
        ends_at: datetime,
        attendee_addresses: tuple[str, ...],
    ) -> CreatedEvent:
        """An event with a Teams meeting in the organiser's calendar, inviting the attendees;
        `EventWithoutJoinUrl` when the event was made without a join URL (the caller cancels
        it)."""

    async def update(
        self,
        organiser_id: str,
        event_id: str,
        *,
        subject: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        attendee_addresses: tuple[str, ...] | None = None,
    ) -> None:
        """Change what is given, and nothing else."""

    async def cancel(self, organiser_id: str, event_id: str) -> None:
        """Cancel the event: each attendee is sent a cancellation."""
