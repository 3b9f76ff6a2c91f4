"""What staff are told: one plain-English sentence per reason, naming people only by placeholder."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given

from bot.policy.blockers import Blocker, BlockerCode, blocker_sentences
from bot.policy.recording_gate import evaluate_recording
from bot.policy.role_statement import decide_role
from bot.policy.share_gate import evaluate_share
from domain.terms import MeetingFacts, Topic

from .builders import document_choices, meeting_facts

NAME = "Sam Example"


@pytest.mark.parametrize(("code", "topic"), list(itertools.product(BlockerCode, Topic)))
def test_every_reason_reads_as_a_finished_sentence(code: BlockerCode, topic: Topic) -> None:
    sentence = Blocker(code, topic, "a-1").staff_template.format(attendee=NAME)

    assert sentence[0].isupper()
    assert sentence.endswith(".")
    assert "{" not in sentence
    assert "}" not in sentence


@pytest.mark.parametrize(
    ("topic", "subject"),
    [
        (Topic.RECORDING, "recording the meeting"),
        (Topic.DOCUMENTS, "sharing documents"),
        (Topic.CONTRIBUTION, "contributing to discussions"),
    ],
)
def test_a_missing_reply_says_what_was_asked(topic: Topic, subject: str) -> None:
    sentence = Blocker(BlockerCode.NO_REPLY, topic, "a-1").staff_template.format(attendee=NAME)

    assert sentence.startswith(f"{NAME} has not replied")
    assert subject in sentence


@given(meeting_facts(), document_choices)
def test_sentences_name_exactly_the_invited_attendees_a_reason_concerns(
    facts: MeetingFacts, document_id: str | None
) -> None:
    attendee_ids = {a.id for a in facts.attendees}
    blockers = (
        *evaluate_recording(facts).blockers,
        *evaluate_share(facts, document_id).blockers,
        *decide_role(facts).reasons,
    )

    for blocker in blockers:
        names_someone = NAME in blocker.staff_template.format(attendee=NAME)
        assert names_someone is (blocker.attendee_id in attendee_ids)


def test_sentences_describe_attendees_as_asked_else_say_someone_and_repeat_nothing() -> None:
    blockers = (
        Blocker(BlockerCode.REFUSED, Topic.RECORDING, "a-1"),
        Blocker(BlockerCode.NO_REPLY, Topic.RECORDING, "a-2"),
        Blocker(BlockerCode.NO_REPLY, Topic.RECORDING, "a-3"),
        Blocker(BlockerCode.UNKNOWN_PARTICIPANT_PRESENT, Topic.RECORDING),
        Blocker(BlockerCode.UNKNOWN_PARTICIPANT_PRESENT, Topic.RECORDING),
    )
    described = {"a-1": NAME}

    assert blocker_sentences(blockers, described.get) == (
        f"{NAME} refused consent to recording the meeting.",
        "Someone has not replied to the request for consent to recording the meeting.",
        "Someone who is not on the attendee list is in the meeting.",
    )
