"""Calendar events through the product's msgraph-sdk client: an online event gets a Teams
meeting found by its join URL, Exchange's invitations reach the attendees' inboxes as
iCalendar REQUEST and CANCEL parts with a rising SEQUENCE, and the calendar scope, time zones
and filter are checked as Graph checks them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
    OnlineMeetingsRequestBuilder as Builder,
)
from msgraph.graph_service_client import GraphServiceClient

from sandbox.graph.events import read_zoned_time
from sandbox.seed import ADVISER, CONSENT_MAILBOX, COORDINATOR, PARENT_CARER, SENCO
from tests.sandbox.conftest import RunningSandbox


def london(day: int, hour: int) -> DateTimeTimeZone:
    return DateTimeTimeZone(
        date_time=f"2027-07-{day:02d}T{hour:02d}:00:00", time_zone="Europe/London"
    )


def invited(*addresses: str) -> list[Attendee]:
    return [Attendee(email_address=EmailAddress(address=a)) for a in addresses]


def online_event(subject: str) -> Event:
    return Event(
        subject=subject,
        start=london(6, 10),
        end=london(6, 11),
        attendees=invited(PARENT_CARER.address, SENCO.address),
        is_online_meeting=True,
        online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
    )


def calendar_parts(sandbox: RunningSandbox, address: str, uid: str) -> list[Any]:
    """The VEVENTs of this event's invitations in the person's inbox, oldest first."""
    found = []
    for message in sandbox.tenant.correspondents.inbox(address):
        for part in message.parsed().walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_content())
                (vevent,) = calendar.walk("VEVENT")
                if str(vevent["UID"]) == uid:
                    found.append((str(calendar["METHOD"]), vevent))
    return found


def by_join_url(url: str) -> Any:
    return Builder.OnlineMeetingsRequestBuilderGetRequestConfiguration(
        query_parameters=Builder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter=f"JoinWebUrl eq '{url}'"
        )
    )


async def test_an_online_event_gets_a_teams_meeting_found_by_its_join_url(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    events = graph.users.by_user_id(COORDINATOR.object_id).events
    created = await events.post(online_event("Transition review"))

    assert created is not None
    assert created.id is not None
    assert created.online_meeting is not None
    join_url = created.online_meeting.join_url
    assert join_url is not None
    assert join_url.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_")
    assert created.start is not None
    assert (created.start.date_time, created.start.time_zone) == (
        "2027-07-06T09:00:00.0000000",
        "UTC",
    )
    found = await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.get(
        request_configuration=by_join_url(join_url)
    )
    assert found is not None
    (meeting,) = found.value or []
    assert meeting.join_web_url == join_url
    assert meeting.start_date_time == datetime(2027, 7, 6, 9, tzinfo=UTC)
    assert (meeting.allow_recording, meeting.allow_transcription) == (True, True)
    elsewhere = await graph.users.by_user_id(ADVISER.object_id).online_meetings.get(
        request_configuration=by_join_url(join_url)
    )
    assert elsewhere is not None
    assert elsewhere.value == []
    event = sandbox.tenant.events.get(created.id)
    assert event is not None
    for address in (PARENT_CARER.address, SENCO.address):
        ((method, vevent),) = calendar_parts(sandbox, address, event.ical_uid)
        assert (method, vevent["SEQUENCE"]) == ("REQUEST", 0)
        assert str(vevent["X-MICROSOFT-SKYPETEAMSMEETINGURL"]) == join_url
        assert vevent.decoded("DTSTART") == datetime(2027, 7, 6, 9, tzinfo=UTC)


async def test_listing_meetings_without_a_join_url_filter_is_refused(
    graph: GraphServiceClient,
) -> None:
    with pytest.raises(ODataError) as refused:
        await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.get()
    assert refused.value.response_status_code == 400


async def test_a_change_sends_an_update_and_a_removed_attendee_a_cancellation(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    events = graph.users.by_user_id(COORDINATOR.object_id).events
    created = await events.post(online_event("Annual review"))
    assert created is not None
    assert created.id is not None
    event = sandbox.tenant.events.get(created.id)
    assert event is not None

    await events.by_event_id(created.id).patch(Event(subject="Annual review"))
    await events.by_event_id(created.id).patch(
        Event(start=london(7, 14), end=london(7, 15), attendees=invited(PARENT_CARER.address))
    )

    parent = calendar_parts(sandbox, PARENT_CARER.address, event.ical_uid)
    assert [(m, v["SEQUENCE"]) for m, v in parent] == [("REQUEST", 0), ("REQUEST", 1)]
    assert parent[1][1].decoded("DTSTART") == datetime(2027, 7, 7, 13, tzinfo=UTC)
    senco = calendar_parts(sandbox, SENCO.address, event.ical_uid)
    assert [(m, v["SEQUENCE"]) for m, v in senco] == [("REQUEST", 0), ("CANCEL", 1)]
    teams = sandbox.tenant.meetings.get(event.online_meeting_id or "")
    assert teams is not None
    assert teams.start == datetime(2027, 7, 7, 13, tzinfo=UTC)
    assert [a.upn for a in teams.attendees] == [PARENT_CARER.address]


async def test_a_cancelled_event_tells_everyone_and_leaves_the_calendar(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    events = graph.users.by_user_id(COORDINATOR.object_id).events
    created = await events.post(online_event("Cancelled review"))
    assert created is not None
    assert created.id is not None
    event = sandbox.tenant.events.get(created.id)
    assert event is not None

    await events.by_event_id(created.id).cancel.post(CancelPostRequestBody(comment="Not needed."))

    with pytest.raises(ODataError) as gone:
        await events.by_event_id(created.id).get()
    assert gone.value.response_status_code == 404
    for address in (PARENT_CARER.address, SENCO.address):
        *_, (method, vevent) = calendar_parts(sandbox, address, event.ical_uid)
        assert (method, vevent["SEQUENCE"], str(vevent["STATUS"])) == ("CANCEL", 1, "CANCELLED")
        assert "Not needed." in str(vevent["DESCRIPTION"])


async def test_a_calendar_outside_the_apps_scope_is_refused(graph: GraphServiceClient) -> None:
    with pytest.raises(ODataError) as refused:
        await graph.users.by_user_id(CONSENT_MAILBOX.object_id).events.post(
            online_event("Not ours")
        )
    assert refused.value.response_status_code == 403


async def test_an_unknown_time_zone_is_refused(graph: GraphServiceClient) -> None:
    event = online_event("Somewhere else")
    event.start = DateTimeTimeZone(date_time="2027-07-06T10:00:00", time_zone="Mars/Olympus")
    with pytest.raises(ODataError) as refused:
        await graph.users.by_user_id(COORDINATOR.object_id).events.post(event)
    assert refused.value.response_status_code == 400
    assert refused.value.error is not None
    assert refused.value.error.code == "TimeZoneNotSupportedException"


def test_times_are_read_in_their_own_zone() -> None:
    """Winter wall clock times in London are UTC; summer ones an hour ahead."""
    winter = {"dateTime": "2027-01-06T10:00:00", "timeZone": "GMT Standard Time"}
    assert read_zoned_time(winter, "start")[0] == datetime(2027, 1, 6, 10, tzinfo=UTC)
    summer = {"dateTime": "2027-07-06T10:00:00.0000000", "timeZone": "Europe/London"}
    assert read_zoned_time(summer, "start")[0] == datetime(2027, 7, 6, 9, tzinfo=UTC)
