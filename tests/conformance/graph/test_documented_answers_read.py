"""Every documented onlineMeeting, event and chat message answer Microsoft publishes for the
calls the bot makes, read by the bot's own msgraph-sdk adapters (`OnlineMeetings`,
`CalendarEvents`): the settings it reads back, the meeting and chat it finds by join URL, the
edits and cancellations it sends, and when the meeting's call started."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conformance.documented import documented
from tests.conformance.graph.answering import ORGANISER, DocumentedGraph

ONE_MEETING = [
    "graph/online_meeting_get_by_vtc_id.json",
    "graph/online_meeting_get.json",
    "graph/online_meeting_created.json",
    "graph/online_meeting_created_passcode.json",
    "graph/online_meeting_created_no_passcode.json",
    "graph/online_meeting_created_template.json",
    "graph/online_meeting_created_encrypted.json",
    "graph/online_meeting_updated.json",
    "graph/online_meeting_updated_lobby.json",
    "graph/online_meeting_updated_encryption.json",
]
UPDATED = [name for name in ONE_MEETING if "_updated" in name]
CHAT = "19:2da4c29f6d7041eca70b638b43d45437@thread.v2"
JOIN_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d"


def as_list(meeting: dict[str, Any]) -> dict[str, Any]:
    """A documented meeting as the one item of a list answer (a test edit: Microsoft shows
    `chatInfo` only in single-meeting answers)."""
    return {"value": [{k: v for k, v in meeting.items() if not k.startswith("@odata.")}]}


@pytest.mark.parametrize("fixture", ONE_MEETING)
async def test_no_documented_meeting_answer_is_read_as_allowing_or_forbidding_recording(
    fixture: str,
) -> None:
    """None of Microsoft's examples carries allowRecording; each is read, and says nothing:
    the bot never counts such a read-back as recording switched off."""
    graph = DocumentedGraph((200, documented(fixture)))
    settings = await graph.meetings().settings(ORGANISER, "m")
    assert settings.allows_recording is None
    assert not settings.recording_is(False)
    assert not settings.locked_down
    (request,) = graph.requests
    assert (request.method, request.url.path) == (
        "GET",
        f"/v1.0/users/{ORGANISER}/onlineMeetings/m",
    )


async def test_a_documented_meeting_with_the_settings_the_bot_asks_for_reads_as_locked_down() -> (
    None
):
    """Get onlineMeeting's example 2 with the settings the bot sets (a test edit)."""
    meeting = documented("graph/online_meeting_get.json") | {
        "allowRecording": False,
        "allowTranscription": False,
        "recordAutomatically": False,
        "allowedPresenters": "organizer",
        "lobbyBypassSettings": {"scope": "organizer", "isDialInBypassEnabled": False},
    }
    settings = await DocumentedGraph((200, meeting)).meetings().settings(ORGANISER, "m")
    assert settings.locked_down
    assert settings.allows_recording is False


@pytest.mark.parametrize("fixture", UPDATED)
async def test_each_documented_update_answer_is_taken_for_the_bots_changes(fixture: str) -> None:
    graph = DocumentedGraph((200, documented(fixture)))
    meetings = graph.meetings()
    await meetings.lock_down(ORGANISER, "m")
    await meetings.restore_lobby(ORGANISER, "m")
    await meetings.set_recording(ORGANISER, "m", False)
    start = datetime(2027, 3, 2, 10, tzinfo=UTC)
    await meetings.update(ORGANISER, "m", subject="Review", starts_at=start, ends_at=start)
    assert [r.method for r in graph.requests] == ["PATCH"] * 4
    locked = json.loads(graph.requests[0].content)
    assert (locked["allowRecording"], locked["allowTranscription"]) == (False, False)
    assert locked["lobbyBypassSettings"]["scope"] == "organizer"


@pytest.mark.parametrize(
    ("fixture", "meeting_id", "thread"),
    [
        (
            "graph/online_meetings_by_join_url.json",
            "dc17674c-81d9-4adb-bfb2-8f6a442e4622_19:meeting_MGQ4MDQyNTEtNTQVkODYxODYzMmY2@thread.v2",
            "19:meeting_MGQ4MDQyNTEtNTQ2NS00YjQxLTlkMYzMmY2@thread.v2",
        ),
        (
            "graph/online_meetings_by_join_meeting_id.json",
            "dc17674c-81d9-4adb-bfb2-8f6a442e4622_19:meeting_MGQ4MDQyNtZWVkODYxODYzMmY2@thread.v2",
            "19:meeting_MGQ4MDQyNTEtNZWVkODYxODYzMmY2@thread.v2",
        ),
    ],
)
async def test_each_documented_meeting_list_gives_the_meeting_and_its_chat(
    fixture: str, meeting_id: str, thread: str
) -> None:
    """Neither documented list carries chatInfo: the chat is read from the join URL."""
    found = (
        await DocumentedGraph((200, documented(fixture)))
        .meetings()
        .find_by_join_url(ORGANISER, JOIN_URL)
    )
    assert found is not None
    assert (found.id, found.chat_thread_id) == (meeting_id, thread)


@pytest.mark.parametrize(
    ("fixture", "thread"),
    [
        (
            "graph/online_meeting_get_by_vtc_id.json",
            "19:cbee7c1c860e465cebf7bee0d@thread.skype",
        ),
        (
            "graph/online_meeting_created.json",
            "19:meeting_M2IzYzczNTItYzUtYmFiMjNlOTY4MGEz@thread.skype",
        ),
        (
            "graph/online_meeting_created_passcode.json",
            "19:3b523985568b776357c1dd79@thread.skype",
        ),
        (
            "graph/online_meeting_created_no_passcode.json",
            "19:3b52398f3c524556894b776357c1dd79@thread.skype",
        ),
        ("graph/online_meeting_created_template.json", "1xxxxxxxxxxxxxx@thread.skype"),
    ],
)
async def test_a_documented_chat_thread_id_is_read_plain_or_percent_encoded(
    fixture: str, thread: str
) -> None:
    """Microsoft writes `chatInfo.threadId` plainly (Get, example 1; Create, example 1) and
    percent-encoded (Create, examples 2 to 4): the bot installs itself in, and reads the call's
    start from, the same chat either way."""
    graph = DocumentedGraph((200, as_list(documented(fixture))))
    found = await graph.meetings().find_by_join_url(ORGANISER, JOIN_URL)
    assert found is not None
    assert found.chat_thread_id == thread


async def test_the_documented_event_update_answer_is_taken_for_the_bots_edit() -> None:
    """Update event's example answer as written, its `datetime-value` placeholder too (which
    msgraph-sdk cannot parse: the bot does not read the answer)."""
    graph = DocumentedGraph((200, documented("graph/event_updated.json")))
    start = datetime(2027, 3, 2, 10, tzinfo=UTC)
    await graph.meetings().events.update(
        ORGANISER, "AAMkAG=", subject="Review", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    (request,) = graph.requests
    assert (request.method, request.url.path) == (
        "PATCH",
        f"/v1.0/users/{ORGANISER}/events/AAMkAG=",
    )
    sent = json.loads(request.content)
    assert sent["subject"] == "Review"
    assert sent["start"] == {"dateTime": "2027-03-02T10:00:00", "timeZone": "Europe/London"}


async def test_a_cancellation_is_taken_as_event_cancel_documents_it() -> None:
    """event: cancel answers 202 Accepted with no body. msgraph-sdk names the comment
    `Comment`, as the page's own example does (its table says `comment`)."""
    graph = DocumentedGraph((202, None))
    await graph.meetings().events.cancel(ORGANISER, "AAMkAG=")
    (request,) = graph.requests
    assert (request.method, request.url.path) == (
        "POST",
        f"/v1.0/users/{ORGANISER}/events/AAMkAG=/cancel",
    )
    assert {key.lower() for key in json.loads(request.content)} == {"comment"}


def started_page() -> dict[str, Any]:
    """The documented call-started message, with a time msgraph-sdk can read (a test edit:
    Microsoft's example writes `2021-03-1706:47:05.123Z`)."""
    page = documented("graph/chat_messages_call_started.json")
    (message,) = page["value"]
    message |= {
        "createdDateTime": "2021-03-17T06:47:05.123Z",
        "lastModifiedDateTime": "2021-03-17T06:47:05.123Z",
    }
    return page


async def test_a_call_start_on_the_page_after_peoples_messages_is_found() -> None:
    """The documented page of people's messages, newest first with a next page (List messages
    in a chat, example 3), then the documented call-started message on the next."""
    people = documented("graph/chat_messages_sorted.json")
    graph = DocumentedGraph((200, people), (200, started_page()))
    started = await graph.meetings().call_started(CHAT)
    assert started == datetime(2021, 3, 17, 6, 47, 5, 123000, tzinfo=UTC)
    first, following = graph.requests
    assert first.url.params["$orderby"] == "createdDateTime desc"
    assert str(following.url) == people["@odata.nextLink"]
    assert following.headers["Prefer"] == "include-unknown-enum-members"


async def test_a_last_page_of_peoples_messages_alone_means_the_call_has_not_started() -> None:
    """The documented page of people's messages as the last page (a test edit: its
    `@odata.nextLink` left out)."""
    people = documented("graph/chat_messages_sorted.json")
    del people["@odata.nextLink"]
    assert await DocumentedGraph((200, people)).meetings().call_started(CHAT) is None


async def test_an_answer_the_sdk_cannot_parse_does_not_fail_a_change_graph_made() -> None:
    """Microsoft's own Update event example writes placeholder times; a meeting answered the
    same way is changed all the same, and the change is confirmed by reading it back."""
    placeholder = {
        **documented("graph/online_meeting_updated.json"),
        "startDateTime": "datetime-value",
    }
    graph = DocumentedGraph((200, placeholder))
    meetings = graph.meetings()
    await meetings.lock_down(ORGANISER, "m")
    await meetings.restore_lobby(ORGANISER, "m")
    await meetings.set_recording(ORGANISER, "m", False)
    await meetings.update(ORGANISER, "m", subject="Review", forbid_recording=True)
    assert [r.method for r in graph.requests] == ["PATCH"] * 4
