"""What counts as an objection to recording written to the bot in a meeting chat."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.objection import (
    OBJECT_ACTION,
    ChatWordsKind,
    is_objection_action,
    is_objection_invoke,
    read_chat_words,
    words_of,
)


@pytest.mark.parametrize(
    "text",
    [
        "stop recording",
        "Stop recording",
        "STOP RECORDING!",
        "<at>IASS meeting assistant</at> stop recording",
        "<at>IASS</at>&nbsp;stop   recording.",
        "please stop recording now",
        "I do not agree to recording",
        "I don't agree to recording.",
        "I don\u2019t agree to recording",
        "i dont agree to recording",
        "Sorry, I do not agree to recording!",
        "I do not agree to being recorded",
        "I do not consent to recording",
        "<p><at>IASS</at> I do <b>not</b> agree to recording</p>",
        "I don't want you to stop recording",
        "stop\nrecording",
    ],
)
def test_the_phrases_object_wherever_they_stand(text: str) -> None:
    reading = read_chat_words(text)
    assert reading.kind is ChatWordsKind.OBJECTION
    assert reading.objects


@pytest.mark.parametrize(
    "text",
    [
        "no recording please",
        "can we not record this?",
        "is this being recorded?",
        "I agree to recording",
        "stop",
        "recording",
        "stopped recording",
        "stop the recording",
        "I do agree to recording",
        "<at>IASS</at> what happens to my information?",
        "stoprecording",
    ],
)
def test_other_words_are_a_question_for_staff(text: str) -> None:
    reading = read_chat_words(text)
    assert reading.kind is ChatWordsKind.QUESTION
    assert not reading.objects


@pytest.mark.parametrize(
    "text", [None, "", "   ", "<at>IASS meeting assistant</at>", "!?", "<p></p>"]
)
def test_nothing_but_the_mention_is_empty(text: str | None) -> None:
    assert read_chat_words(text).kind is ChatWordsKind.EMPTY


def test_the_mention_is_not_the_writers_words() -> None:
    assert words_of("<at>Stop Recording Bot</at> hello") == ("hello",)
    assert read_chat_words("<at>Stop Recording Bot</at> hello").kind is ChatWordsKind.QUESTION


@pytest.mark.parametrize(
    ("value", "objects"),
    [
        ({"action": OBJECT_ACTION}, True),
        ({"action": OBJECT_ACTION, "extra": 1}, True),
        ({"action": "something_else"}, False),
        ({}, False),
        (None, False),
        (OBJECT_ACTION, False),
        ([OBJECT_ACTION], False),
        ({"Action": OBJECT_ACTION}, False),
    ],
)
def test_only_the_cards_button_value_objects(value: object, objects: bool) -> None:
    assert is_objection_action(value) is objects


@given(st.text())
def test_any_text_is_read_without_error_and_phrases_always_object(text: str) -> None:
    assert read_chat_words(text).kind in set(ChatWordsKind)
    assert read_chat_words(f"{text} stop recording").kind is ChatWordsKind.OBJECTION
    assert read_chat_words(f"I do not agree to recording {text}").kind is ChatWordsKind.OBJECTION


@pytest.mark.parametrize(
    ("value", "objects"),
    [
        ({"action": {"type": "Action.Submit", "data": {"action": OBJECT_ACTION}}}, True),
        ({"action": {"type": "Action.Execute", "verb": OBJECT_ACTION, "data": {}}}, True),
        ({"action": {"type": "Action.Execute", "verb": "other", "data": {}}}, False),
        ({"action": {"type": "Action.Submit", "data": {"action": "other"}}}, False),
        ({"action": OBJECT_ACTION}, False),
        ({"action": None}, False),
        ({}, False),
        (None, False),
        ("adaptiveCard/action", False),
    ],
)
def test_the_buttons_invoke_objects_in_either_documented_form(value: object, objects: bool) -> None:
    assert is_objection_invoke(value) is objects
