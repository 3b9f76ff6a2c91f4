"""A reply's text cut into sentences, and each sentence into clauses, for `classify` to read.

Sentences end at . ! ? ; and line ends; a line of 60 characters or more that does not end in
punctuation is taken as hard-wrapped and rejoined with the next (unless that is a list item).
Clauses are split at commas and at joining or contrasting words ("and", "or", "but",
"however"...), and where a second answer follows the first without punctuation ("Recording
yes documents no"). A sentence is a question when it ends in "?", holds a question word, or
opens as one does ("can you", "is it").
"""

from __future__ import annotations

import re

from bot.intake.lexicon import Kind
from bot.intake.tokens import Token


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n")
_LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")
_WRAP_WIDTH = 60
_QUESTION_OPENERS = _word_set(
    "can could will would shall should is are am do does did may might have has was were"
)
_QUESTION_SUBJECTS = _word_set(
    "i you we they it he she there this that the my our your anyone someone anybody somebody "
    "everyone"
)


def split_sentences(text: str) -> list[str]:
    lines = text.split("\n")
    joined: list[str] = []
    for line in lines:
        previous = joined[-1] if joined else ""
        if (
            len(previous) >= _WRAP_WIDTH
            and not previous.rstrip().endswith((".", "!", "?", ";", ":"))
            and line.strip()
            and not _LIST_ITEM.match(line)
        ):
            joined[-1] = f"{previous.rstrip()} {line.strip()}"
        else:
            joined.append(line)
    sentences: list[str] = []
    for line in joined:
        start = 0
        for match in _SENTENCE_END.finditer(line):
            sentences.append(line[start : match.end()])
            start = match.end()
        sentences.append(line[start:])
    return [sentence.strip() for sentence in sentences if sentence.strip()]


def is_question(sentence: str, tokens: list[Token]) -> bool:
    if sentence.rstrip().endswith("?") or any(token.kind is Kind.QUESTION for token in tokens):
        return True
    first = tokens[0].text.lower()
    second = tokens[1].text.lower() if len(tokens) > 1 else ""
    return first in _QUESTION_OPENERS and second in _QUESTION_SUBJECTS


def split_clauses(sentence: str, tokens: list[Token]) -> list[tuple[list[Token], Kind | None]]:
    """Split at commas and at joining or contrasting words (which are dropped).

    Each clause comes with the boundary before it: CONTRAST if a "but" (or the like) is among
    the boundaries, JOIN for a comma, "and" or "or", None at the start of the sentence.
    """
    clauses: list[tuple[list[Token], Kind | None]] = []
    current: list[Token] = []
    joiner: Kind | None = None
    pending: Kind | None = None
    previous_end = 0
    for index, token in enumerate(tokens):
        comma_before = "," in sentence[previous_end : token.start]
        if comma_before:
            pending = _stronger(pending, Kind.JOIN)
        previous_end = token.end
        if token.kind is Kind.CONTRAST and current and not comma_before:
            following = tokens[index + 1].start if index + 1 < len(tokens) else len(sentence)
            if "," in sentence[token.end : following] or following == len(sentence):
                continue  # a trailing "though": "I don't want that though, ..."
        if token.kind in (Kind.JOIN, Kind.CONTRAST):
            pending = _stronger(pending, token.kind)
            continue
        if pending is None and current and _starts_answer(current, token):
            pending = Kind.JOIN
        if pending is not None:
            if current:
                clauses.append((current, joiner))
                current = []
                joiner = pending
            else:
                joiner = _stronger(joiner, pending)
            pending = None
        current.append(token)
    if current:
        clauses.append((current, joiner))
    return clauses


def _starts_answer(current: list[Token], token: Token) -> bool:
    """A new answer that follows one without punctuation: "Recording yes documents no",
    "yes recording no documents"."""
    previous = current[-1].kind
    answering = (Kind.POSITIVE, Kind.NO)
    has_topic = any(earlier.kind is Kind.TOPIC for earlier in current)
    has_answer = any(earlier.kind in answering for earlier in current)
    if not (has_topic and has_answer):
        return False
    return (token.kind is Kind.TOPIC and previous in answering) or (
        token.kind in answering and previous is Kind.TOPIC
    )


def _stronger(first: Kind | None, second: Kind | None) -> Kind | None:
    return Kind.CONTRAST if Kind.CONTRAST in (first, second) else (second or first)
