"""The sandbox answers Microsoft's own documented requests with every key of Microsoft's
documented answers (`tests/conformance/graph/`): onlineMeetings made, read, found and changed,
calendar events made, read and changed, and the meeting chat's call messages. Where the
examples contradict each other the sandbox writes each form in turn, so every example is
matched by one of its answers; where an example shows an object the sandbox's tenant does not
have (a sensitivity label, video interop, a channel), the sandbox writes null, as the test
states. The bot's own adapters read the sandbox's answers in each form."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.meetings import OnlineMeetings
from sandbox.graph.meeting_resource import SHAPES
from sandbox.seed import ADVISER, BOT_CATALOG_APP_ID, COORDINATOR
from tests.conformance.documented import documented, documented_request, shape_gaps
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox

ORGANISER = f"/users/{COORDINATOR.object_id}"
NO_LABEL = "sensitivityLabelAssignment"
"""A sandbox meeting has no sensitivity label unless one is given: the sandbox writes null."""
NO_VIDEO_INTEROP = "cloudVideoInteropInfo"
"""The sandbox's tenant has no Cloud Video Interop: the sandbox writes null."""
CREATED = [
    "graph/online_meeting_created.json",
    "graph/online_meeting_created_passcode.json",
    "graph/online_meeting_created_no_passcode.json",
    "graph/online_meeting_created_template.json",
    "graph/online_meeting_created_encrypted.json",
]
UPDATED = {
    "graph/online_meeting_updated.json": {
        "subject": "Patch Meeting Subject",
        "meetingSpokenLanguageTag": "en-US",
    },
    "graph/online_meeting_updated_lobby.json": {
        "lobbyBypassSettings": {"scope": "organization", "isDialInBypassEnabled": True}
    },
    "graph/online_meeting_updated_encryption.json": {"isEndToEndEncryptionEnabled": True},
}
"""Each documented update, and what its documented answer shows it changed."""


async def answer(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    method: str,
    path: str,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """The sandbox's JSON answer, as sent, to a request through the product's Graph client."""
    request = RequestInformation(Method[method])
    request.url = sandbox.graph_base_url + path
    request.headers.try_add("Accept", "application/json")
    for name, value in (headers or {}).items():
        request.headers.try_add(name, value)
    if body is not None:
        request.set_stream_content(json.dumps(body).encode(), "application/json")
    raw = await graph.request_adapter.send_primitive_async(request, "bytes", {})
    return json.loads(raw)


def assert_one_covers(
    name: str, example: object, answers: Iterable[object], absent: Iterable[str] = ()
) -> None:
    """One of the sandbox's `answers` has every key path of Microsoft's `example`, each with
    a value of the type the example shows (`shape_gaps`)."""
    gaps = [shape_gaps(example, given, absent) for given in answers]
    assert set() in gaps, f"{name}: documented keys the sandbox lacks: {min(gaps, key=len)}"


async def meetings_in_each_shape(
    graph: GraphServiceClient, sandbox: RunningSandbox, body: dict[str, Any]
) -> list[dict[str, Any]]:
    """One meeting made with `body` for each documented answer shape the sandbox writes."""
    return [
        await answer(graph, sandbox, "POST", f"{ORGANISER}/onlineMeetings", body)
        for _ in range(SHAPES)
    ]


def with_an_attendee(body: dict[str, Any]) -> dict[str, Any]:
    """A documented create request with an invitee (a test edit: Get onlineMeeting's example 1
    lists one)."""
    invited = {"identity": {"user": {"id": ADVISER.object_id}}, "upn": ADVISER.user_principal_name}
    return body | {"participants": {"attendees": [invited]}}


@pytest.mark.parametrize("fixture", CREATED)
async def test_each_documented_create_is_answered_with_every_key_its_example_shows(
    graph: GraphServiceClient, sandbox: RunningSandbox, fixture: str
) -> None:
    body = documented_request(fixture)["body"]
    answers = await meetings_in_each_shape(graph, sandbox, body)
    assert_one_covers(fixture, documented(fixture), answers)
    asked = body.get("joinMeetingIdSettings", {}).get("isPasscodeRequired", False)
    for made in answers:
        settings = made["joinMeetingIdSettings"]
        assert settings["isPasscodeRequired"] is asked
        assert (settings["passcode"] is not None) is asked
        assert made["subject"] == body["subject"]


async def test_each_documented_get_answer_is_matched_by_the_sandboxs(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    body = with_an_attendee(documented_request("graph/online_meeting_created.json")["body"])
    made = await meetings_in_each_shape(graph, sandbox, body)
    got = [
        await answer(graph, sandbox, "GET", f"{ORGANISER}/onlineMeetings/{m['id']}") for m in made
    ]
    for fixture in ("graph/online_meeting_get_by_vtc_id.json", "graph/online_meeting_get.json"):
        assert_one_covers(fixture, documented(fixture), got, absent=(NO_LABEL, NO_VIDEO_INTEROP))


async def test_each_documented_lookup_by_join_url_or_meeting_id_is_matched_by_the_sandboxs(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    body = documented_request("graph/online_meeting_created.json")["body"]
    made = await meetings_in_each_shape(graph, sandbox, body)
    filters = {
        "graph/online_meetings_by_join_url.json": "JoinWebUrl eq '{joinWebUrl}'",
        "graph/online_meetings_by_join_meeting_id.json": (
            "joinMeetingIdSettings/joinMeetingId eq '{joinMeetingIdSettings[joinMeetingId]}'"
        ),
    }
    for fixture, template in filters.items():
        listed = []
        for meeting in made:
            query = quote(template.format(**meeting), safe="")
            found = await answer(
                graph, sandbox, "GET", f"{ORGANISER}/onlineMeetings?$filter={query}"
            )
            assert [m["id"] for m in found["value"]] == [meeting["id"]]
            listed.append(found)
        assert_one_covers(fixture, documented(fixture), listed, absent=(f"value[].{NO_LABEL}",))


@pytest.mark.parametrize("fixture", UPDATED)
async def test_each_documented_update_is_answered_with_every_key_its_example_shows(
    graph: GraphServiceClient, sandbox: RunningSandbox, fixture: str
) -> None:
    made = await meetings_in_each_shape(
        graph, sandbox, documented_request("graph/online_meeting_created.json")["body"]
    )
    change = documented_request(fixture)["body"]
    patched = [
        await answer(graph, sandbox, "PATCH", f"{ORGANISER}/onlineMeetings/{m['id']}", change)
        for m in made
    ]
    assert_one_covers(fixture, documented(fixture), patched, absent=(NO_LABEL,))
    for meeting in patched:
        assert {key: meeting[key] for key in UPDATED[fixture]} == UPDATED[fixture]


async def test_a_meeting_has_every_property_of_the_documented_resource(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    """All but `attendeeReport`, a stream that is not part of a JSON answer."""
    (made, *_) = await meetings_in_each_shape(
        graph, sandbox, documented_request("graph/online_meeting_created.json")["body"]
    )
    got = await answer(graph, sandbox, "GET", f"{ORGANISER}/onlineMeetings/{made['id']}")
    assert set(documented("graph/online_meeting_resource.json")) - {"attendeeReport"} <= set(got)


async def test_the_documented_conference_id_spellings_come_in_turn_and_the_bot_reads_both(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    """`ConferenceId` (Get, example 1; the Create examples) and `conferenceId` (Update, example
    1; the audioConferencing resource)."""
    made = await meetings_in_each_shape(
        graph, sandbox, documented_request("graph/online_meeting_created.json")["body"]
    )
    spellings = {
        key for m in made for key in m["audioConferencing"] if key.lower() == "conferenceid"
    }
    assert spellings == {"ConferenceId", "conferenceId"}
    meetings = OnlineMeetings(graph, BOT_CATALOG_APP_ID, sandbox.graph_base_url)
    for meeting in made:
        settings = await meetings.settings(COORDINATOR.object_id, meeting["id"])
        assert settings.allows_recording is True


async def test_each_documented_event_request_is_answered_with_every_key_its_example_shows(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    """Create event's examples 1 and 4, sent as documented; Get event's examples 1 and 2 read
    the first back (the sandbox answers a `$select` with every property); Update event's
    example changes the second."""
    made = {}
    for fixture in ("graph/event_created.json", "graph/event_created_online.json"):
        request = documented_request(fixture)
        made[fixture] = await answer(
            graph, sandbox, "POST", f"{ORGANISER}/events", request["body"], request["headers"]
        )
        assert_one_covers(fixture, documented(fixture), [made[fixture]])
    event_id = quote(made["graph/event_created.json"]["id"], safe="")
    for fixture in ("graph/event_got.json", "graph/event_got_locations.json"):
        request = documented_request(fixture)
        select = request["url"].partition("?")[2]
        got = await answer(
            graph,
            sandbox,
            "GET",
            f"{ORGANISER}/events/{event_id}?{select}",
            headers=request.get("headers"),
        )
        assert_one_covers(fixture, documented(fixture), [got])
    online_id = quote(made["graph/event_created_online.json"]["id"], safe="")
    change = documented_request("graph/event_updated.json")["body"]
    patched = await answer(graph, sandbox, "PATCH", f"{ORGANISER}/events/{online_id}", change)
    assert_one_covers("graph/event_updated.json", documented("graph/event_updated.json"), [patched])
    assert (patched["reminderMinutesBeforeStart"], patched["categories"]) == (99, ["Red category"])


async def test_the_meeting_chats_call_messages_carry_every_documented_key(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble
) -> None:
    """The call started and ended messages (System messages, "Call started" and "Call
    ended"), asked for as the bot asks, and without the Prefer header (List messages in a
    chat, example 1). The documented call-ended message is a channel meeting's: a meeting
    chat's has no `channelIdentity`, as the call-started example shows."""
    meeting = await meeting_with_bot(graph, "Documented call messages")
    assert meeting.id is not None
    assert meeting.chat_info is not None
    thread = meeting.chat_info.thread_id
    assert thread is not None
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)
    meetings = OnlineMeetings(graph, BOT_CATALOG_APP_ID, sandbox.graph_base_url)
    live = sandbox.tenant.live_meetings.get(meeting.id)
    assert live is not None
    assert await meetings.call_started(thread) == live.started_at
    await sandbox.teams.admit(meeting.id, ADVISER.user_principal_name)
    await sandbox.teams.end(meeting.id)

    path = f"/chats/{quote(thread, safe='')}/messages?$top=50"
    listed = await answer(
        graph, sandbox, "GET", path, headers={"Prefer": "include-unknown-enum-members"}
    )
    by_type = {m["eventDetail"]["@odata.type"].rpartition(".")[2]: m for m in listed["value"]}
    for fixture, kind, absent in (
        ("graph/chat_messages_call_started.json", "callStartedEventMessageDetail", ()),
        (
            "graph/chat_messages_call_ended.json",
            "callEndedEventMessageDetail",
            ("channelIdentity",),
        ),
    ):
        page = documented(fixture)
        (example,) = page.pop("value")
        assert_one_covers(fixture, page, [{k: v for k, v in listed.items() if k != "value"}])
        assert_one_covers(fixture, example, [by_type[kind]], absent)
        assert by_type[kind]["messageType"] == "systemEventMessage"
    ended = by_type["callEndedEventMessageDetail"]["eventDetail"]
    assert {p["participant"]["user"]["id"] for p in ended["callParticipants"]} == {
        COORDINATOR.object_id,
        ADVISER.object_id,
    }

    unnamed = await answer(graph, sandbox, "GET", path)
    (example,) = documented("graph/chat_messages_without_prefer.json")["value"]
    assert {m["messageType"] for m in unnamed["value"]} == {example["messageType"]}
    assert_one_covers(
        "graph/chat_messages_without_prefer.json",
        example,
        unnamed["value"],
        absent=("eventDetail",),
    )


async def test_a_page_of_the_meeting_chat_has_every_documented_key_and_the_next_page_link(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble
) -> None:
    """List messages in a chat, example 3 (sorted newest first, a page and a link to the
    next), asked as documented but with `$top=1` (a test edit: the sandbox's chat holds only
    the call's two system messages, so a page of two would be the last). Each message has
    every key of Microsoft's messages from people, but `from`, which a system message leaves
    null."""
    meeting = await meeting_with_bot(graph, "Documented chat pages")
    assert meeting.id is not None
    assert meeting.chat_info is not None
    thread = meeting.chat_info.thread_id
    assert thread is not None
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)
    await sandbox.teams.end(meeting.id)
    request = documented_request("graph/chat_messages_sorted.json")
    query = request["url"].partition("?")[2].replace("$top=2", "$top=1")

    first = await answer(graph, sandbox, "GET", f"/chats/{quote(thread, safe='')}/messages?{query}")
    example = documented("graph/chat_messages_sorted.json")
    messages = example.pop("value")
    assert_one_covers("graph/chat_messages_sorted.json", example, [first])
    following = first["@odata.nextLink"]
    assert following.startswith(sandbox.graph_base_url)
    second = await answer(graph, sandbox, "GET", following.removeprefix(sandbox.graph_base_url))
    assert "@odata.nextLink" not in second
    listed = [*first["value"], *second["value"]]
    assert len(listed) == 2
    for message in messages:
        for given in listed:
            assert_one_covers("graph/chat_messages_sorted.json", message, [given], ("from",))
    assert [m["createdDateTime"] for m in listed] == sorted(
        (m["createdDateTime"] for m in listed), reverse=True
    )


async def test_the_sandboxs_recordings_list_has_every_documented_key(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    """List recordings (`GET .../onlineMeetings/{id}/recordings`) once Teams has recorded a
    meeting: the page and its recording have every key of Microsoft's example, of its types."""
    (made, *_) = await meetings_in_each_shape(
        graph, sandbox, documented_request("graph/online_meeting_created.json")["body"]
    )
    start = datetime.now(UTC) - timedelta(hours=1)
    (recording,) = sandbox.tenant.recordings.made(
        meeting_id=made["id"],
        organizer_id=COORDINATOR.object_id,
        tenant_id=sandbox.tenant.tenant_id,
        call_id="call",
        started_at=start,
        ended_at=start + timedelta(minutes=30),
        transcribed=False,
    )
    listed = await answer(
        graph, sandbox, "GET", f"{ORGANISER}/onlineMeetings/{made['id']}/recordings"
    )
    assert [r["id"] for r in listed["value"]] == [recording.id]
    fixture = "graph/online_meeting_recordings.json"
    assert_one_covers(fixture, documented(fixture), [listed])
