"""The sandbox sends meeting start and end events in each shape Microsoft documents, in turn
(`sandbox/teams/activities.py`), and each carries every key the documented example of its
shape carries; the bot as served starts and ends the meeting from either. Its participant join
and leave carry every key of the Teams SDK's examples of them (Microsoft's docs publish none),
but for the SDK's streaminfo entity, which belongs to streamed messages: the sandbox's events
carry the client info entity of its other activities."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.seed import PARENT_CARER
from sandbox.teams.activities import (
    MEETING_END,
    MEETING_EVENT_SHAPES,
    MEETING_START,
    PARTICIPANT_JOIN,
    PARTICIPANT_LEAVE,
)
from tests.agent.conftest import LinkedMeeting, ServedBot
from tests.conformance.documented import documented, shape_gaps
from tests.sandbox.conftest import RunningSandbox


def sent(sandbox: RunningSandbox, thread: str, name: str) -> dict[str, Any]:
    conversation = sandbox.tenant.conversations.meeting_chat(thread)
    *_, last = (
        entry.activity
        for entry in conversation.entries
        if entry.direction == "to_bot" and str(entry.activity.get("name", "")).strip() == name
    )
    return dict(last)


@pytest.mark.parametrize("shape", MEETING_EVENT_SHAPES)
async def test_the_sandbox_meeting_events_have_every_documented_key_of_their_shape(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    linked_meeting: LinkedMeeting,
    monkeypatch: pytest.MonkeyPatch,
    shape: str,
) -> None:
    monkeypatch.setattr(sandbox.teams, "event_shapes", (shape,))
    thread = linked_meeting.thread_id

    await sandbox.teams.start(linked_meeting.online_id)
    await sandbox.teams.end(linked_meeting.online_id)

    started, ended = sent(sandbox, thread, MEETING_START), sent(sandbox, thread, MEETING_END)
    assert shape_gaps(documented(f"teams/meeting_start_{shape}.json"), started) == set()
    assert shape_gaps(documented(f"teams/meeting_end_{shape}.json"), ended) == set()
    assert [c for c in served_bot.events.calls if c[0] in {"started", "ended"}] == [
        ("started", thread),
        ("ended", thread),
    ]


def test_the_sandbox_sends_each_documented_shape_in_turn(sandbox: RunningSandbox) -> None:
    assert sandbox.teams.event_shapes == ("2021", "2023")


async def test_the_sandbox_participant_events_have_every_key_of_the_sdks_examples(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    meeting, thread = linked_meeting.online_id, linked_meeting.thread_id
    await sandbox.teams.start(meeting)
    parent = await sandbox.teams.admit(meeting, PARENT_CARER.address)
    await sandbox.teams.leave(meeting, parent.attendance.account.id)

    joined, left = sent(sandbox, thread, PARTICIPANT_JOIN), sent(sandbox, thread, PARTICIPANT_LEAVE)
    streamed = ("entities",)
    assert shape_gaps(documented("teams/participant_join.json"), joined, streamed) == set()
    assert shape_gaps(documented("teams/participant_leave.json"), left, streamed) == set()
    assert ("joined", thread) in served_bot.events.calls
    assert ("left", thread) in served_bot.events.calls
