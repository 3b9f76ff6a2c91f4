"""Whether words written to the bot in a meeting chat object to recording.

Anyone in a meeting may object to it being recorded, by writing "stop recording" or "I do not
agree to recording" to the bot (an @mention in the meeting chat), or with the button on the
opening card. An objection switches recording off for the rest of the meeting and is recorded
as a refusal, never as consent.

Decisions, and why:

- Reading too much as an objection only ever switches recording off, which is the safe
  direction; reading too little leaves someone's objection unheard. So the two phrases count
  wherever they stand in the message ("please stop recording now", "sorry, I do not agree to
  recording"), whatever the case, spacing, punctuation or apostrophes, and "don't"/"dont"
  count as "do not". Two close variants count too ("I do not agree to being recorded",
  "I do not consent to recording"). Nothing else is guessed at: "no recording please" is a
  question for staff.
- A message with any other words is a question for staff (`ChatWordsKind.QUESTION`): it is
  passed on, never ignored. A message with no words at all (only the @mention) is `EMPTY`.
- Negation is not looked for ("I don't want you to stop recording" objects): a person who
  wants recording to go on can say so to staff, and recording stays off meanwhile.
- The @mention Teams puts in the text (`<at>Name</at>`) and any HTML tags are not the
  writer's words and are left out before reading.
- The card's button sends `{"action": OBJECT_ACTION}` as the activity's value; any other value
  is not an objection. Teams documents two ways of delivering the button (a message whose
  `value` is the data, and an `adaptiveCard/action` invoke whose `value.action` carries the
  data, or the verb for `Action.Execute`): both are read (`is_objection_invoke`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

OBJECT_ACTION: Final = "object_to_recording"
"""The `action` of the opening card's "I do not agree to recording" button data."""

OBJECTION_PHRASES: Final = (
    ("stop", "recording"),
    ("i", "do", "not", "agree", "to", "recording"),
    ("i", "do", "not", "agree", "to", "being", "recorded"),
    ("i", "do", "not", "consent", "to", "recording"),
)
"""The word sequences that object to recording, after `words_of`."""

_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_CONTRACTIONS: Final = {"don't": ("do", "not"), "dont": ("do", "not")}


class ChatWordsKind(StrEnum):
    OBJECTION = "objection"
    QUESTION = "question"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class ChatWords:
    """What a message to the bot is: an objection to recording, a question for staff, or
    nothing but the @mention."""

    kind: ChatWordsKind

    @property
    def objects(self) -> bool:
        return self.kind is ChatWordsKind.OBJECTION


def words_of(text: str) -> tuple[str, ...]:
    """The writer's words, lower case, without the @mention, tags and punctuation, with
    "don't" and "dont" as "do not"."""
    plain = _TAG.sub(" ", _MENTION.sub(" ", text))
    folded = unicodedata.normalize("NFKC", plain).translate(_APOSTROPHES).casefold()
    words: list[str] = []
    for raw in re.findall(r"[\w']+", folded):
        word = raw.strip("'")
        if word:
            words.extend(_CONTRACTIONS.get(word, (word,)))
    return tuple(words)


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    span = len(phrase)
    return any(words[i : i + span] == phrase for i in range(len(words) - span + 1))


def read_chat_words(text: str | None) -> ChatWords:
    """What `text`, written to the bot in a meeting chat, is."""
    words = words_of(text or "")
    if not words:
        return ChatWords(ChatWordsKind.EMPTY)
    if any(_contains(words, phrase) for phrase in OBJECTION_PHRASES):
        return ChatWords(ChatWordsKind.OBJECTION)
    return ChatWords(ChatWordsKind.QUESTION)


def is_objection_action(value: object) -> bool:
    """Whether an activity's `value` is the opening card's objection button being pressed."""
    return isinstance(value, Mapping) and value.get("action") == OBJECT_ACTION


def is_objection_invoke(value: object) -> bool:
    """Whether an `adaptiveCard/action` invoke's `value` is the objection button being pressed:
    its `action.data` is the button's data, or (`Action.Execute`) its `action.verb` is
    `OBJECT_ACTION`."""
    if not isinstance(value, Mapping):
        return False
    action = value.get("action")
    if not isinstance(action, Mapping):
        return False
    return is_objection_action(action.get("data")) or action.get("verb") == OBJECT_ACTION
