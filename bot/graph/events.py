"""The organiser's calendar event behind a Teams meeting, through Graph's calendar API.

A meeting is an event in the organiser's calendar with `isOnlineMeeting` and the provider
`teamsForBusiness` (Microsoft Graph, "Create event" and "Create or set an event as an online
meeting in an Outlook calendar"): Exchange sends the invitations, with the join link, from
the organiser, and Teams makes the online meeting, found afterwards by its join URL
(`OnlineMeetings.find_by_join_url`). Edits PATCH the event and a cancellation uses the
event's `cancel` action, so Exchange sends the updates and cancellations people expect.

Application permission Calendars.ReadWrite, limited to staff mailboxes with Exchange RBAC for
Applications; `organiser_id` is the organiser's directory object id. Times are sent as wall
clock times in Europe/London, the service's own time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from bot.graph.errors import GRAPH_ERRORS
from bot.ports.calendar import CreatedEvent, EventWithoutJoinUrl

if TYPE_CHECKING:
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.graph_service_client import GraphServiceClient

LONDON: Final = "Europe/London"
CANCELLATION_COMMENT: Final = "This meeting has been cancelled."
"""What the cancellation says: nothing about the case (the bot's own email explains more)."""


def london_time(at: datetime) -> DateTimeTimeZone:
    """`at` as Graph's dateTimeTimeZone: its wall clock time in Europe/London."""
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone

    local = at.astimezone(ZoneInfo(LONDON))
    return DateTimeTimeZone(date_time=local.strftime("%Y-%m-%dT%H:%M:%S"), time_zone=LONDON)


class CalendarEvents:
    def __init__(self, graph: GraphServiceClient) -> None:
        self._graph = graph

    async def create(
        self,
        organiser_id: str,
        subject: str,
        body_html: str,
        starts_at: datetime,
        ends_at: datetime,
        attendee_addresses: tuple[str, ...],
    ) -> CreatedEvent:
        """An event with a Teams meeting in the organiser's calendar, inviting the attendees
        (Exchange sends each an invitation); no new time proposals, since a moved meeting
        must go through the bot. `EventWithoutJoinUrl` when Graph made the event but gave no
        join URL (the caller cancels it)."""
        from msgraph.generated.models.body_type import BodyType
        from msgraph.generated.models.event import Event
        from msgraph.generated.models.item_body import ItemBody
        from msgraph.generated.models.online_meeting_provider_type import (
            OnlineMeetingProviderType,
        )

        created = await self._graph.users.by_user_id(organiser_id).events.post(
            Event(
                subject=subject,
                body=ItemBody(content_type=BodyType.Html, content=body_html),
                start=london_time(starts_at),
                end=london_time(ends_at),
                attendees=_attendees(attendee_addresses),
                is_online_meeting=True,
                online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
                allow_new_time_proposals=False,
            )
        )
        if created is None or not created.id:
            raise RuntimeError("Graph created the event but did not return its id")
        join_url = created.online_meeting.join_url if created.online_meeting else None
        if not join_url:
            raise EventWithoutJoinUrl(created.id)
        return CreatedEvent(created.id, join_url)

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
        """Change what is given (and nothing else) in one PATCH of the event; Exchange sends
        the attendees an updated invitation (and a cancellation to anyone removed).

        The answer (the whole event) is not read: nothing in it is needed, and Microsoft's own
        example answer (Update event) carries a placeholder time msgraph-sdk cannot parse,
        which would fail an edit Graph has made."""
        from msgraph.generated.models.event import Event

        request = (
            self._graph.users.by_user_id(organiser_id)
            .events.by_event_id(event_id)
            .to_patch_request_information(
                Event(
                    subject=subject,
                    start=None if starts_at is None else london_time(starts_at),
                    end=None if ends_at is None else london_time(ends_at),
                    attendees=(
                        None if attendee_addresses is None else _attendees(attendee_addresses)
                    ),
                )
            )
        )
        await self._graph.request_adapter.send_no_response_content_async(request, GRAPH_ERRORS)

    async def cancel(self, organiser_id: str, event_id: str) -> None:
        """Cancel the event (`POST .../events/{id}/cancel`): Exchange sends each attendee a
        cancellation carrying `CANCELLATION_COMMENT`, and removes the event from the
        organiser's calendar."""
        from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
            CancelPostRequestBody,
        )

        await (
            self._graph.users.by_user_id(organiser_id)
            .events.by_event_id(event_id)
            .cancel.post(CancelPostRequestBody(comment=CANCELLATION_COMMENT))
        )


def _attendees(addresses: tuple[str, ...]) -> list[Attendee]:
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.attendee_type import AttendeeType
    from msgraph.generated.models.email_address import EmailAddress

    return [
        Attendee(email_address=EmailAddress(address=a), type=AttendeeType.Required)
        for a in addresses
    ]
