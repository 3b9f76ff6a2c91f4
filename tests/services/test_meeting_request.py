"""Checking a scheduling request: times in UK local time, people, role, documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.services.meeting_request import InvalidMeeting, MeetingInput, PersonInput, parse_meeting
from domain.terms import AttendeeKind, DeclaredRole

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
GOOD = MeetingInput(
    title="Annual review planning",
    start="2026-12-01 10:00",
    end="2026-12-01 11:00",
    role="support-and-contribute",
    recording_wanted=True,
    organiser_user_id="11111111-aaaa-4bbb-8ccc-000000000001",
    people=(
        PersonInput("Alex Carter <alex.carter@example.org>", "parent_carer"),
        PersonInput("Jo Whitfield <jo.whitfield@example.org>", "professional", "Fellside Primary"),
    ),
    documents=(("School report", "https://example.com/report.docx"),),
)


def test_a_good_request_becomes_a_meeting_in_uk_time() -> None:
    meeting = parse_meeting(GOOD, NOW)
    assert meeting.starts_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert meeting.declared_role is DeclaredRole.SUPPORT_AND_CONTRIBUTE
    assert [(a.name, a.kind) for a in meeting.attendees] == [
        ("Alex Carter", AttendeeKind.PARENT_CARER),
        ("Jo Whitfield", AttendeeKind.PROFESSIONAL),
    ]
    assert meeting.attendees[1].organisation == "Fellside Primary"


def test_summer_times_are_british_summer_time() -> None:
    summer = parse_meeting(replace(GOOD, start="2027-07-01 10:00", end="2027-07-01 11:00"), NOW)
    assert summer.starts_at.astimezone(UTC).hour == 9


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"title": "  "}, "Give the meeting a title."),
        ({"start": "tomorrow"}, "is not a date and time like 2026-12-01 10:00"),
        ({"end": "2026-12-01 09:00"}, "The meeting must end after it starts."),
        ({"end": "2026-12-01 19:00"}, "at most 8 hours long"),
        ({"start": "2026-11-01 10:00", "end": "2026-11-01 11:00"}, "already passed"),
        ({"role": "observe"}, "Choose the role"),
        (
            {"people": (PersonInput("Jo <jo@example.org>", "professional"),)},
            "at least one parent carer or young person",
        ),
        (
            {"people": (PersonInput("Alex alex@example.org", "parent_carer"),)},
            "should look like: Name <name@example.org>",
        ),
        (
            {"people": (*GOOD.people, PersonInput("A <ALEX.CARTER@example.org>", "young_person"))},
            "listed twice",
        ),
        ({"documents": (("Report", "http://example.com/r"),)}, "needs a title and an https link"),
    ],
)
def test_each_problem_is_named(change: dict[str, object], problem: str) -> None:
    with pytest.raises(InvalidMeeting) as raised:
        parse_meeting(replace(GOOD, **change), NOW)  # type: ignore[arg-type]
    assert any(problem in p for p in raised.value.problems)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidMeeting) as raised:
        parse_meeting(replace(GOOD, title="", role="x", people=()), NOW)
    assert len(raised.value.problems) == 3
