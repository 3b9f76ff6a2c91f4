"""What one clause of a reply says, and everything found in the reply so far.

`read_clause` reads a clause's words with the lexicon: negations and what they negate (up to
four words on, else the cue word just before), the topics named, excepted or refused with
"without", "only" next to a topic, and the words that send a reply to a person (conditions,
hedges, questions, matters to act on, words not understood, a yes and a no together). What it
finds is a `Clause`; what sends the reply to review is noted on the `Reading`, which `classify`
keeps for the whole reply, quoting the sender's words clipped to 200 characters (`clip`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.intake.lexicon import Kind
from bot.intake.tokens import Token
from domain.terms import Topic

NEGATION_REACH = 4
EVIDENCE_CHARS = 200
# A capitalised unknown word first in a clause is a name only when a verb or a topic word
# follows it, as in "Priya can contribute" or "Priya contributing"; elsewhere it could be a
# word of another language.
_AFTER_A_NAME = frozenset(
    {"can", "could", "will", "would", "may", "might", "should", "is", "has", "was", "does", "to"}
)
# Kind groups are tuples, not sets: membership by identity avoids hashing enum members,
# which Python does slowly.
_POSITIVE_KINDS = (Kind.POSITIVE, Kind.WEAK_POSITIVE, Kind.ACKNOWLEDGE)
_NEGATIVE_KINDS = (Kind.NEGATOR, Kind.NEGATIVE, Kind.WITHDRAW, Kind.NO)
_DOUBLE_NEGATIVE_KINDS = (*_NEGATIVE_KINDS, Kind.ALL, Kind.HEDGE)
_NEGATION_TARGETS = (*_POSITIVE_KINDS, *_NEGATIVE_KINDS, Kind.TOPIC, Kind.ALL, Kind.HEDGE)
_NEGATION_STOPS = (Kind.CONDITION, Kind.EXCEPT, Kind.WITHOUT, Kind.QUESTION)
_REVIEW_KINDS = {
    Kind.CONDITION: "condition",
    Kind.HEDGE: "not a clear answer",
    Kind.QUESTION: "question",
    Kind.MATTER: "something for a person to act on",
}
_NEUTRAL_UNKNOWN_SHARE = 0.4


@dataclass
class Clause:
    """What one clause says; `polarity` True is a yes, False a no, None neither."""

    tokens: list[Token]
    text: str
    joiner: Kind | None
    polarity: bool | None = None
    mixed: bool = False
    withdraws: bool = False
    reconsiders: bool = False
    topics: set[Topic] = field(default_factory=set)
    everything: bool = False
    excepted: set[Topic] = field(default_factory=set)
    without: set[Topic] = field(default_factory=set)
    only: bool = False
    acknowledges: bool = False
    loose_negation: bool = False

    @property
    def names_topics(self) -> bool:
        return bool(self.topics or self.everything or self.excepted)


@dataclass
class Reading:
    """Everything found in a reply so far."""

    specific: dict[Topic, list[tuple[bool, str]]] = field(default_factory=dict)
    blanket: list[tuple[bool, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    withdraws: bool = False
    reconsider: str | None = None
    restricted: bool = False
    acknowledged: bool = False
    said_yes: bool = False
    contrasted: bool = False

    def review(self, why: str, words: str = "") -> None:
        reason = f"{why}: {_quote(words)}" if words else why
        if reason not in self.reasons:
            self.reasons.append(reason)


def _quote(words: str) -> str:
    return f'"{clip(words)}"'


def read_clause(sentence: str, parts: tuple[list[Token], Kind | None], reading: Reading) -> Clause:
    tokens, joiner = parts
    text = sentence[tokens[0].start : tokens[-1].end]
    clause = Clause(tokens, text, joiner)
    consumed: set[int] = set()
    negatives = 0
    for index, token in enumerate(tokens):
        kind = token.kind
        if kind is Kind.NO:
            negatives += 1
        elif kind in (Kind.NEGATOR, Kind.NEGATIVE, Kind.WITHDRAW):
            clause.withdraws |= kind is Kind.WITHDRAW
            target = _negation_target(tokens, index)
            target_kind = tokens[target].kind if target is not None else None
            if kind is Kind.NEGATOR and target_kind is None:
                clause.loose_negation = True
                continue
            if kind is Kind.NEGATOR and target_kind in _DOUBLE_NEGATIVE_KINDS:
                reading.review("double or partial negative", text)
                continue
            negatives += 1
            if target is not None and target_kind in _POSITIVE_KINDS:
                consumed.add(target)
    mode = Kind.TOPIC
    positives = 0
    weak = 0
    for index, token in enumerate(tokens):
        kind = token.kind
        if kind in (Kind.EXCEPT, Kind.WITHOUT):
            mode = kind
        elif kind is Kind.TOPIC and token.topic:
            {Kind.TOPIC: clause.topics, Kind.EXCEPT: clause.excepted, Kind.WITHOUT: clause.without}[
                mode
            ].add(token.topic)
        elif kind in (Kind.ALL, Kind.REST) and mode is Kind.TOPIC:
            clause.everything = True
        elif index in consumed:
            continue
        elif kind is Kind.POSITIVE:
            positives += 1
        elif kind is Kind.WEAK_POSITIVE:
            weak += 1
        elif kind is Kind.ACKNOWLEDGE:
            clause.acknowledges = True
        elif kind is Kind.RECONSIDER:
            clause.reconsiders = True
        elif kind is Kind.ONLY:
            clause.only = _next_to_topic(tokens, index)
            if not clause.only:
                reading.review("condition", text)
        elif kind in _REVIEW_KINDS:
            reading.review(_REVIEW_KINDS[kind], text)
    if (clause.topics or clause.everything) and not negatives:
        positives += weak
    if negatives and positives:
        clause.mixed = True
        reading.review("yes and no together", text)
    elif negatives:
        clause.polarity = False
    elif positives:
        clause.polarity = True
    _check_words(clause, reading)
    return clause


def _negation_target(tokens: list[Token], index: int) -> int | None:
    """What a negation negates: the next cue word or topic within reach, or else the one just
    before it ("consent not given")."""
    for position in range(index + 1, min(index + 1 + NEGATION_REACH, len(tokens))):
        kind = tokens[position].kind
        if kind in _NEGATION_TARGETS:
            return position
        if kind in _NEGATION_STOPS:
            break
    for position in range(index - 1, max(index - 3, -1), -1):
        if tokens[position].kind in (*_POSITIVE_KINDS, Kind.TOPIC):
            return position
    return None


def _next_to_topic(tokens: list[Token], index: int) -> bool:
    nearby = tokens[max(index - 2, 0) : index + 3]
    return any(token.kind is Kind.TOPIC for token in nearby)


def _check_words(clause: Clause, reading: Reading) -> None:
    """Send to review a clause with words the lexicon does not know (names aside)."""
    tokens = clause.tokens
    answers = clause.polarity is not None or clause.mixed or clause.names_topics
    leading_name = all(token.capitalised or token.kind is Kind.NEUTRAL for token in tokens) or (
        len(tokens) > 1
        and (tokens[1].text.lower() in _AFTER_A_NAME or tokens[1].kind is Kind.TOPIC)
    )
    unknown = [
        token.text
        for index, token in enumerate(tokens)
        if token.kind is None and not (token.capitalised and (index or leading_name))
    ]
    if not unknown:
        return
    foreign = any(not word.isascii() for word in unknown)
    if foreign or answers or len(unknown) > _NEUTRAL_UNKNOWN_SHARE * len(tokens):
        reading.review("not understood", " ".join(unknown))


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
