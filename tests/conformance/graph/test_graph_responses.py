"""Microsoft's documented Graph responses (`tests/conformance/graph/`) read by the bot's own
msgraph-sdk adapters (`bot.graph.meetings.OnlineMeetings` and its `CalendarEvents`), Graph
answered by the fixture."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from kiota_abstractions.authentication.anonymous_authentication_provider import (
    AnonymousAuthenticationProvider,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.meetings import SETTINGS_READ, OnlineMeetings
from bot.ports.calendar import EventWithoutJoinUrl
from bot.ports.meetings import CallStartUnknown
from tests.conformance.documented import documented

BASE = "https://graph.microsoft.com/v1.0"
ORGANISER = "11111111-aaaa-4bbb-8ccc-000000000001"
CHAT = "19:2da4c29f6d7041eca70b638b43d45437@thread.v2"


class Graph:
    """Answers every request with one documented body; keeps the requests."""

    def __init__(self, body: dict[str, Any], status: int = 200) -> None:
        self.body, self.status = body, status
        self.requests: list[httpx.Request] = []

    def meetings(self) -> OnlineMeetings:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return httpx.Response(self.status, json=self.body)

        client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        adapter = GraphRequestAdapter(AnonymousAuthenticationProvider(), client=client)
        adapter.base_url = BASE
        return OnlineMeetings(GraphServiceClient(request_adapter=adapter), "app", BASE)


async def test_the_documented_online_event_gives_its_id_and_join_url() -> None:
    graph = Graph(documented("graph/event_created_online.json"), status=201)
    start = datetime(2026, 7, 8, 9, tzinfo=UTC)
    created = await graph.meetings().events.create(
        ORGANISER,
        "Review",
        "<p>About us</p>",
        start,
        start + timedelta(hours=1),
        ("a@example.org",),
    )
    assert created.id == "AAMkAGI1AAAt8AHjAAA="
    assert created.join_url.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_")
    (request,) = graph.requests
    assert (request.method, request.url.path) == ("POST", f"/v1.0/users/{ORGANISER}/events")
    sent = json.loads(request.content)
    assert (sent["isOnlineMeeting"], sent["onlineMeetingProvider"]) == (True, "teamsForBusiness")
    assert sent["start"] == {"dateTime": "2026-07-08T10:00:00", "timeZone": "Europe/London"}
    (attendee,) = sent["attendees"]
    assert (attendee["emailAddress"]["address"], attendee["type"]) == ("a@example.org", "required")


async def test_a_documented_event_without_a_teams_meeting_is_refused_with_its_id() -> None:
    """Example 1's event is not an online meeting (`onlineMeeting` null): the caller is given
    its id to cancel it."""
    graph = Graph(documented("graph/event_created.json"), status=201)
    start = datetime(2026, 12, 8, 10, tzinfo=UTC)
    with pytest.raises(EventWithoutJoinUrl) as refused:
        await graph.meetings().events.create(ORGANISER, "Review", "", start, start, ())
    assert refused.value.event_id == "AAMkAGI1AAAt9AHjAAA="


async def test_the_documented_join_url_answer_gives_the_meeting_and_its_chat() -> None:
    """Microsoft's example carries no chatInfo: the thread id comes from the join URL."""
    graph = Graph(documented("graph/online_meetings_by_join_url.json"))
    url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d"
    found = await graph.meetings().find_by_join_url(ORGANISER, url)
    assert found is not None
    assert found.id.startswith("dc17674c-81d9-4adb-bfb2-8f6a442e4622_19:meeting_")
    assert found.chat_thread_id == "19:meeting_MGQ4MDQyNTEtNTQ2NS00YjQxLTlkMYzMmY2@thread.v2"
    (request,) = graph.requests
    assert request.url.path == f"/v1.0/users/{ORGANISER}/onlineMeetings"
    assert request.url.params["$filter"] == f"JoinWebUrl eq '{url}'"


async def test_a_meeting_read_back_without_allow_recording_does_not_say_recording_is_allowed() -> (
    None
):
    """Graph answering a read-back with the whole meeting (as if it ignored `$select`), and
    one without `allowRecording` (Create onlineMeeting's documented answer has none)."""
    graph = Graph(documented("graph/online_meeting_created.json"))
    settings = await graph.meetings().settings(ORGANISER, "m")
    assert settings.allows_recording is None
    assert not settings.recording_is(False)
    assert not settings.locked_down
    (request,) = graph.requests
    assert request.url.params["$select"] == ",".join(SETTINGS_READ)


async def test_a_chat_whose_call_only_ended_reads_as_not_started() -> None:
    graph = Graph(documented("graph/chat_messages_call_ended.json"))
    assert await graph.meetings().call_started(CHAT) is None
    (request,) = graph.requests
    assert request.headers["Prefer"] == "include-unknown-enum-members"


@pytest.mark.parametrize(
    "fixture", ["graph/chat_messages_call_started.json", "graph/chat_messages_without_prefer.json"]
)
async def test_a_documented_call_start_the_sdk_cannot_read_keeps_the_start_unknown(
    fixture: str,
) -> None:
    """Microsoft's only callStarted examples carry `createdDateTime` "2021-03-1706:47:05.123Z";
    msgraph-sdk cannot parse the page, so the bot cannot say the call has not started (and the
    recording gate keeps recording off and tries again)."""
    graph = Graph(documented(fixture))
    with pytest.raises(CallStartUnknown):
        await graph.meetings().call_started(CHAT)


async def test_a_call_start_is_found_whatever_its_message_type_is_called() -> None:
    """The documented call started message, read as Graph answers without the Prefer header
    (`unknownFutureValue`), with times the SDK can parse (a test edit, not a fixture
    edit: the fixture keeps Microsoft's typo)."""
    body = documented("graph/chat_messages_call_started.json")
    (message,) = body["value"]
    time = "2021-03-17T06:47:05.123Z"
    message |= {
        "messageType": "unknownFutureValue",
        "createdDateTime": time,
        "lastModifiedDateTime": time,
    }
    assert await Graph(body).meetings().call_started(CHAT) == datetime(
        2021, 3, 17, 6, 47, 5, 123000, tzinfo=UTC
    )


async def test_a_call_start_without_its_time_keeps_the_start_unknown() -> None:
    """The start is recorded but not when: the bot cannot say which replies came before it,
    so it cannot say the call has not started either."""
    body = documented("graph/chat_messages_call_started.json")
    (message,) = body["value"]
    message |= {"createdDateTime": None, "lastModifiedDateTime": None}
    with pytest.raises(CallStartUnknown):
        await Graph(body).meetings().call_started(CHAT)
