"""What the bot's own msgraph-sdk adapters write to Graph has the shape Microsoft documents for
the resource it changes: every onlineMeeting property the bot sets is a property of the
documented resource (`graph/online_meeting_resource.json`), of its documented type, and every
event property the bot writes is one Get event's documented answers carry
(`graph/event_got.json`, `graph/event_got_locations.json`), with values of the same JSON
types. The bot never reads an event back (it keeps the id and join URL its create answer
gives), so these answers are the shape its writes are held to."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conformance.documented import documented, json_types, shape_gaps
from tests.conformance.graph.answering import ORGANISER, DocumentedGraph

RESOURCE_TYPES = {"Boolean": "boolean", "String": "string"}
"""The JSON type of each type name the onlineMeeting resource's JSON representation uses
(`String (timestamp)` and `String (identifier)` are strings); a complex type is an object."""


def properties(value: Any) -> Any:
    """`value` without OData annotations (`@odata.type`, which msgraph-sdk writes on every
    object): they are not properties of the resource."""
    if isinstance(value, dict):
        return {k: properties(v) for k, v in value.items() if not k.startswith("@odata.")}
    if isinstance(value, list):
        return [properties(item) for item in value]
    return value


def documented_type(written: object) -> str:
    if isinstance(written, dict):
        return "object"
    return RESOURCE_TYPES[str(written).partition(" ")[0]]


async def meeting_writes() -> list[dict[str, Any]]:
    """The bodies of every onlineMeeting change the bot makes."""
    graph = DocumentedGraph((200, documented("graph/online_meeting_updated.json")))
    meetings = graph.meetings()
    await meetings.lock_down(ORGANISER, "m")
    await meetings.restore_lobby(ORGANISER, "m")
    await meetings.set_recording(ORGANISER, "m", False)
    start = datetime(2027, 3, 2, 10, tzinfo=UTC)
    await meetings.update(
        ORGANISER, "m", subject="Review", starts_at=start, ends_at=start, forbid_recording=True
    )
    assert {(r.method, r.url.path) for r in graph.requests} == {
        ("PATCH", f"/v1.0/users/{ORGANISER}/onlineMeetings/m")
    }
    return [properties(json.loads(request.content)) for request in graph.requests]


async def test_every_meeting_property_the_bot_sets_is_documented_with_its_type() -> None:
    resource = documented("graph/online_meeting_resource.json")
    written = await meeting_writes()
    assert len(written) == 4
    for body in written:
        assert set(body) <= set(resource), set(body) - set(resource)
        for name, value in body.items():
            assert json_types(value)[""] == {documented_type(resource[name])}, name


async def event_writes() -> list[dict[str, Any]]:
    """The bodies of the bot's event edit: every property it can change, and the attendees
    alone."""
    graph = DocumentedGraph((200, documented("graph/event_updated.json")))
    events = graph.meetings().events
    start = datetime(2027, 3, 2, 10, tzinfo=UTC)
    await events.update(
        ORGANISER,
        "AAMkAG=",
        subject="Review",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        attendee_addresses=("a@example.org", "b@example.org"),
    )
    await events.update(ORGANISER, "AAMkAG=", attendee_addresses=("a@example.org",))
    return [properties(json.loads(request.content)) for request in graph.requests]


@pytest.mark.parametrize("fixture", ["graph/event_got.json", "graph/event_got_locations.json"])
async def test_every_event_property_the_bot_writes_is_in_the_documented_event(
    fixture: str,
) -> None:
    example = documented(fixture)
    for body in await event_writes():
        assert {"subject", "start", "end", "attendees"} & set(body)
        assert shape_gaps(body, example) == set()
