"""Objections and questions from a chat that is no meeting of ours: nothing to switch off, so
the writer is told to tell the organiser, and the message is counted, never dropped in
silence."""

from __future__ import annotations

from typing import Any, cast

from bot.config import ServiceProfile
from bot.graph.meetings import OnlineMeetings
from bot.services.in_meeting_objection import (
    OBJECTION_DECIDED_BY,
    InMeetingObjections,
    chat_words_seen,
)
from bot.services.live_meeting import MeetingChat, ObjectionSource, TeamsPerson
from consent_store.unit_of_work import Store
from templates.audit_words import ACTION_SENTENCES, action_sentence, decided_by_words


class Unused:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{name} must not be used for a chat that is no meeting of ours")


async def test_an_objection_from_a_chat_that_is_no_meeting_of_ours(store: Store) -> None:
    switched_off: list[str] = []

    async def switch_off(thread_id: str) -> None:
        switched_off.append(thread_id)

    objections = InMeetingObjections(
        store,
        cast(OnlineMeetings, Unused()),
        cast(MeetingChat, Unused()),
        ServiceProfile(_env_file=None),
        bot_app_id="bot",
        switch_off_without_store=switch_off,
    )
    before = dict(chat_words_seen)

    reply = await objections.objected(
        "19:someone-elses@thread.v2", TeamsPerson("29:x", "Someone"), ObjectionSource.CHAT
    )
    asked = await objections.asked("19:someone-elses@thread.v2")

    assert "not a meeting arranged by the service" in reply
    assert "organiser" in reply
    assert "no one to pass your message to" in asked
    assert "passed your message" not in asked
    assert switched_off == []
    assert chat_words_seen["objection_unknown_chat"] == before.get("objection_unknown_chat", 0) + 1
    assert chat_words_seen["question_unknown_chat"] == before.get("question_unknown_chat", 0) + 1


def test_the_audit_of_objections_lobby_and_latecomers_reads_as_sentences() -> None:
    for action in (
        "recording.objection",
        "meeting.chat_question",
        "meeting.bot_in_lobby",
        "meeting.lobby_notice_failed",
        "meeting.latecomers_told",
        "meeting.notice_failed",
    ):
        assert action in ACTION_SENTENCES
    assert "objected to recording" in action_sentence("recording.objection")
    assert decided_by_words(OBJECTION_DECIDED_BY) == (
        "said by you in the meeting, objecting to recording"
    )
