"""An activity comes back from its stored form as it went in, whatever its kind; a kind or
payload this version does not know is refused as unreadable, not guessed at."""

from __future__ import annotations

import pytest

from bot.services.live_meeting import PostedFile, TeamsPerson
from bot.services.meeting_activity import (
    FilePosted,
    MeetingActivity,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
    UnreadableActivity,
    decoded,
    encoded,
)

GUEST = TeamsPerson("29:guest", "Sam Guest", None)
STAFF = TeamsPerson("29:staff", "Alex Adviser", "b1f0c0de-0000-4000-8000-000000000001")
PLAN = PostedFile("Draft EHC plan.docx", "https://example/plan", "item-9", "docx")


@pytest.mark.parametrize(
    "activity",
    [
        MeetingStarted(),
        MeetingEnded(),
        ParticipantJoined(GUEST),
        ParticipantLeft(STAFF),
        FilePosted(STAFF, PLAN),
    ],
)
def test_an_activity_comes_back_as_it_was_stored(activity: MeetingActivity) -> None:
    assert decoded(*encoded(activity)) == activity


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("roster_changed", "{}"),
        ("participant_joined", "{}"),
        ("participant_joined", '{"person": ["29:x"]}'),
        ("file_posted", '{"poster": ["29:x", "X", null]}'),
        ("file_posted", "not json"),
    ],
)
def test_an_unknown_kind_or_malformed_payload_is_unreadable(kind: str, payload: str) -> None:
    with pytest.raises(UnreadableActivity):
        decoded(kind, payload)
