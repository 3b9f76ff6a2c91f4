"""The meeting page at a glance: each answer is a tag and one sentence, worked out from the page's
view model (may it be recorded, may each document be shared, the role stated, what is missing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.web.meeting_glance import Answer, at_a_glance
from bot.web.meeting_view import AttendeeView, DocumentView, GateView, MeetingView, TopicStatus

AT = datetime(2026, 11, 10, 10, tzinfo=UTC)
ALL_AGREED = MeetingView(
    reference="IASS-ABCD2345",
    title="Annual review",
    starts_at=AT,
    ends_at=AT,
    status="Scheduled",
    declared_role="Support and contribute",
    recording_requested=True,
    teams_recording="Yes",
    needs_attention=None,
    safeguarding_hold=False,
    attendees=(
        AttendeeView(
            "Priya", "Parent carer", None, (TopicStatus("Recording the meeting", "Given", AT),)
        ),
    ),
    recording=GateView(True, "Recording permitted", ()),
    role=GateView(True, "The bot will state the role: support and contribute", ()),
    documents=(DocumentView("School report", GateView(True, "Sharing permitted", ())),),
    open_review_items=0,
    audit=(),
    stated_role="Support and contribute",
)


def test_when_everyone_agreed_every_answer_is_green_and_nothing_is_missing() -> None:
    glance = at_a_glance(ALL_AGREED)
    assert glance.recording == Answer(
        "Recording", "Permitted", "green", "Everyone still invited agreed to recording."
    )
    assert glance.documents == (
        Answer("School report", "May be shared", "green", "Every service user agreed to sharing."),
    )
    assert glance.role == Answer(
        "Role stated", "Support and contribute", "blue", "It is the role you declared."
    )
    assert glance.missing == Answer(
        "Still missing", "Nothing", "green", "Every reply asked for has arrived."
    )


def test_what_blocks_is_said_in_one_sentence_with_how_many_more_reasons_follow() -> None:
    meeting = replace(
        ALL_AGREED,
        attendees=(
            AttendeeView(
                "Priya",
                "Parent carer",
                None,
                (
                    TopicStatus("Recording the meeting", None),
                    TopicStatus("Sharing documents", None),
                ),
            ),
            AttendeeView(
                "Sam", "Professional", None, (TopicStatus("Recording the meeting", None),)
            ),
        ),
        recording=GateView(
            False,
            "Recording not permitted",
            ("Priya has not replied about recording.", "Sam has not replied about recording."),
        ),
        role=GateView(False, "The bot will state the role: support", ("Priya did not agree.",)),
        documents=(
            DocumentView(None, GateView(False, "Sharing not permitted", ("Priya said no.",))),
        ),
        open_review_items=1,
        stated_role="Support",
    )
    glance = at_a_glance(meeting)
    assert glance.recording == Answer(
        "Recording",
        "Not permitted",
        "red",
        "Priya has not replied about recording, and 1 more reason below.",
    )
    assert glance.documents == (
        Answer(
            "Document 1 (title removed under the retention schedule)",
            "May not be shared",
            "red",
            "Priya said no.",
        ),
    )
    assert glance.role == Answer("Role stated", "Support", "yellow", "Priya did not agree.")
    assert glance.missing == Answer(
        "Still missing",
        "4 awaited",
        "yellow",
        "No reply yet from Priya (recording the meeting, sharing documents); "
        "Sam (recording the meeting); 1 email about this meeting waits in the review queue.",
    )


def test_a_meeting_not_to_be_recorded_says_so_in_grey() -> None:
    meeting = replace(
        ALL_AGREED,
        recording_requested=False,
        recording=GateView(False, "Recording not permitted", ("Recording was not requested.",)),
    )
    assert at_a_glance(meeting).recording == Answer(
        "Recording",
        "Not asked for",
        "grey",
        "Recording was not asked for, so the meeting will not be recorded.",
    )
