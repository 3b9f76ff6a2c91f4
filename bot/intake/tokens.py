"""The words of one sentence of a reply, each with its sense from the lexicon (or none)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intake.lexicon import (
    CASE_SENSITIVE,
    PHRASE_LENGTHS,
    PHRASES,
    WORDS,
    Kind,
    Sense,
    typo_target,
)
from domain.terms import Topic

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_NUMBER = Sense(Kind.NEUTRAL)


@dataclass(frozen=True, slots=True)
class Token:
    """A word or phrase of a sentence; `kind` is None when the word is not understood.

    `topic` is set for topic words. `capitalised` marks a word written with a capital (or in
    capitals) that the lexicon does not know: a name, in the places names go. `start` and `end`
    index the sentence.
    """

    kind: Kind | None
    topic: Topic | None
    text: str
    start: int
    end: int
    capitalised: bool = False


def tokenize(sentence: str) -> list[Token]:
    """The sentence's words, phrases read whole and longest first."""
    matches = list(_WORD.finditer(sentence))
    words = [match.group().lower() for match in matches]
    tokens: list[Token] = []
    index = 0
    while index < len(words):
        phrase = _phrase_at(words, index)
        if phrase is not None:
            sense, length = phrase
            start, end = matches[index].start(), matches[index + length - 1].end()
            tokens.append(Token(sense.kind, sense.topic, sentence[start:end], start, end))
            index += length
            continue
        match = matches[index]
        tokens.append(_word(match.group(), words[index], match.start(), match.end()))
        index += 1
    return tokens


def _phrase_at(words: list[str], index: int) -> tuple[Sense, int] | None:
    longest = PHRASE_LENGTHS.get(words[index])
    if longest is None:
        return None
    for length in range(min(longest, len(words) - index), 1, -1):
        sense = PHRASES.get(tuple(words[index : index + length]))
        if sense is not None:
            return sense, length
    return None


def _word(raw: str, lowered: str, start: int, end: int) -> Token:
    sense = CASE_SENSITIVE.get(raw) or WORDS.get(lowered)
    if sense is None and lowered.endswith("'s"):
        sense = WORDS.get(lowered[:-2])
    if sense is None and any(char.isdigit() for char in lowered):
        sense = _NUMBER
    if sense is None and lowered.isascii():
        target = typo_target(lowered)
        if target is not None:
            sense = WORDS[target]
    if sense is None:
        return Token(None, None, raw, start, end, raw.isascii() and raw[0].isupper())
    return Token(sense.kind, sense.topic, raw, start, end)
