"""The consent language rules: the sender's own new words in, a decision per topic with evidence.

The rules, in the order a reply meets them:

- The text is cut into sentences (at . ! ? ; and line ends; hard-wrapped lines are rejoined)
  and each sentence into clauses (at commas and at "and", "or", "but", "however"...).
- Words are read with the closed vocabulary in `lexicon`. A clause that answers (yes, no, a
  topic) must be made only of understood words, numbers and names; a clause that does not
  answer may carry some other English, but not other languages. Anything else goes to review,
  so replies in Welsh, Polish, Urdu or any other language are read by a person, never guessed.
- Negation: "not", "don't", "never" negate the cue word or topic up to four words on ("I do not
  consent", "not happy for it to be recorded", "please don't record"). "No", "refuse",
  "decline", "no thanks", "I'd rather you didn't" are refusals by themselves. Idioms are read
  whole first: "no problem", "no objection", "don't mind" are yeses.
- Withdrawal: "withdraw", "revoke", "no longer", or a change of mind ("I've changed my mind",
  "after all") together with a refusal: every refusal in the reply is then a withdrawal. A
  change of mind with only a yes goes to review.
- Topics: recording (record, video...), documents (documents, share, show, paperwork...),
  contribution (contribute, "speak on my behalf", "join in", "your views"...). A yes or no
  that names topics decides those; one that names none ("Yes, that's fine", "I agree to all of
  the above") decides every topic. The classifier does not know which topics the request
  asked about: a blanket answer is reported for all three, and the caller ignores topics it
  did not ask. A named topic beats a blanket answer ("Yes. No documents please."), "except"
  and "without" refuse what they name, "the rest" means every topic not named, and "only"
  next to a topic stops a blanket yes reaching the others.
- Review, never a guess: conditions ("as long as", "if", "provided", "only" not tied to a
  topic), questions (a "?", "who/what/how...", "can you..."), hedges ("maybe", "not sure",
  "I think"), things for a person to act on ("send me", "attached", "delete it after"), a yes
  and a no in one clause, a topic with no answer, a yes about something not asked ("the time is
  fine"), a bare acknowledgement ("Great, thanks"), an empty or over-long reply.
- A reply that needs review gives no consent: its yeses are dropped (its refusals stand, which
  is the safe side), so `Decision.GIVEN` never comes with `needs_review`.

Evidence for each decision is the clause that decided it, in the sender's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.intake.lexicon import SHARING_WORDS, Kind
from bot.intake.tokens import Token, tokenize
from bot.intake.verdict import Classification, Finding
from domain.terms import Decision, Topic

MAX_REPLY_CHARS = 4_000
NEGATION_REACH = 4
EVIDENCE_CHARS = 200


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_TOPICS = tuple(Topic)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
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
# A capitalised unknown word first in a clause is a name only when a verb or a topic word
# follows it, as in "Priya can contribute" or "Priya contributing"; elsewhere it could be a
# word of another language.
_AFTER_A_NAME = _word_set("can could will would may might should is has was does to")
# Kind groups are tuples, not sets: membership by identity avoids hashing enum members,
# which Python does slowly.
_POSITIVE_KINDS = (Kind.POSITIVE, Kind.WEAK_POSITIVE, Kind.ACKNOWLEDGE)
_NEGATIVE_KINDS = (Kind.NEGATOR, Kind.NEGATIVE, Kind.WITHDRAW, Kind.NO)
_DOUBLE_NEGATIVE_KINDS = (*_NEGATIVE_KINDS, Kind.ALL, Kind.HEDGE)
_NEGATION_TARGETS = (*_POSITIVE_KINDS, *_NEGATIVE_KINDS, Kind.TOPIC, Kind.ALL, Kind.HEDGE)
# Words that mark an exception to a blanket answer: "Yes, but no recording", "yes to the rest".
_CONTRASTING = (Kind.CONTRAST, Kind.EXCEPT, Kind.WITHOUT, Kind.REST)
_NEGATION_STOPS = (Kind.CONDITION, Kind.EXCEPT, Kind.WITHOUT, Kind.QUESTION)
_REVIEW_KINDS = {
    Kind.CONDITION: "condition",
    Kind.HEDGE: "not a clear answer",
    Kind.QUESTION: "question",
    Kind.MATTER: "something for a person to act on",
}
_NEUTRAL_UNKNOWN_SHARE = 0.4


@dataclass
class _Clause:
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
class _Reading:
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


def classify_text(text: str) -> Classification:
    """Read the sender's own new words (see the module docstring for the rules)."""
    text = text.translate(_QUOTES).strip()
    if not text:
        return _review_only("no new words from the sender")
    if len(text) > MAX_REPLY_CHARS:
        return _review_only(f"reply longer than {MAX_REPLY_CHARS} characters")
    reading = _Reading()
    for sentence in _sentences(text):
        _read_sentence(sentence, reading)
    return _conclude(reading)


def _review_only(reason: str) -> Classification:
    return Classification(MappingProxyType({}), needs_review=True, review_reasons=(reason,))


def _quote(words: str) -> str:
    return f'"{_clip(words)}"'


def _sentences(text: str) -> list[str]:
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


def _read_sentence(sentence: str, reading: _Reading) -> None:
    tokens = tokenize(sentence)
    if not tokens:
        if any(char.isalnum() or not char.isascii() for char in sentence):
            reading.review("not understood", sentence)
        return
    if _is_question(sentence, tokens):
        reading.review("question", sentence)
        return
    reading.contrasted |= any(token.kind in _CONTRASTING for token in tokens)
    clauses = [_read_clause(sentence, parts, reading) for parts in _clauses(sentence, tokens)]
    _separate_sharing_the_recording(sentence, tokens, clauses, reading)
    _carry_answers(sentence, clauses, reading)
    _check_sentence(sentence, clauses, reading)
    named = {clause.polarity for clause in clauses if clause.topics and clause.polarity is not None}
    for clause in clauses:
        _record(clause, reading, absorbed=clause.polarity in named)


def _separate_sharing_the_recording(
    sentence: str, tokens: list[Token], clauses: list[_Clause], reading: _Reading
) -> None:
    """ "Recorded and shared with the school" speaks of sharing the recording, not documents.

    When a sentence names recording and its only documents words are verbs of sharing, those
    words are not taken as the documents topic, and a person reads the reply.
    """
    documents = {token.text.lower() for token in tokens if token.topic is Topic.DOCUMENTS}
    recording = any(token.topic is Topic.RECORDING for token in tokens)
    if recording and documents and documents <= SHARING_WORDS:
        for clause in clauses:
            clause.topics.discard(Topic.DOCUMENTS)
        reading.review("sharing the recording", sentence)


def _check_sentence(sentence: str, clauses: list[_Clause], reading: _Reading) -> None:
    """Review what only the whole sentence shows: a negation with nothing to negate, a yes
    that may be about something not asked ("Yes, I'll see you at 10 then" is fine, "Yes, the
    time is fine" is not), and a yes qualified by a "but" that says no more about the topics."""
    if any(clause.loose_negation for clause in clauses) and not any(
        clause.polarity is False for clause in clauses
    ):
        reading.review("negation not understood", sentence)
    said_yes = reading.said_yes
    for clause in clauses:
        if (
            clause.joiner is Kind.CONTRAST
            and clause.polarity is None
            and not clause.mixed
            and not clause.names_topics
            and said_yes
        ):
            reading.review("yes with a qualification", clause.text)
        said_yes |= clause.polarity is True
    if any(clause.polarity is True for clause in clauses) and not any(
        clause.names_topics for clause in clauses
    ):
        for clause in clauses:
            if any(token.kind is Kind.OTHER_OBJECT for token in clause.tokens):
                reading.review("yes to something not asked about", sentence)


def _is_question(sentence: str, tokens: list[Token]) -> bool:
    if sentence.rstrip().endswith("?") or any(token.kind is Kind.QUESTION for token in tokens):
        return True
    first = tokens[0].text.lower()
    second = tokens[1].text.lower() if len(tokens) > 1 else ""
    return first in _QUESTION_OPENERS and second in _QUESTION_SUBJECTS


def _clauses(sentence: str, tokens: list[Token]) -> list[tuple[list[Token], Kind | None]]:
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


def _read_clause(
    sentence: str, parts: tuple[list[Token], Kind | None], reading: _Reading
) -> _Clause:
    tokens, joiner = parts
    text = sentence[tokens[0].start : tokens[-1].end]
    clause = _Clause(tokens, text, joiner)
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


def _check_words(clause: _Clause, reading: _Reading) -> None:
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


def _carry_answers(sentence: str, clauses: list[_Clause], reading: _Reading) -> None:
    """Give topic-only clauses the answer of their neighbour in a list.

    "I'm happy for it to be recorded, and for documents to be shared" and "Recording,
    documents: yes" answer every topic they list; "Recording is fine but documents..." does not.
    The evidence of a clause that borrows an answer runs to the words that gave it.
    """
    last: _Clause | None = None
    waiting: list[_Clause] = []
    for clause in clauses:
        if clause.polarity is None and not clause.mixed and clause.names_topics:
            if last is None:
                waiting.append(clause)
                continue
            if clause.joiner is Kind.JOIN or clause.only:
                clause.polarity, clause.withdraws = last.polarity, last.withdraws
                clause.text = _between(sentence, last, clause)
            else:
                reading.review("topic without a clear answer", clause.text)
                continue
        if clause.polarity is not None:
            for earlier in waiting:
                earlier.polarity, earlier.withdraws = clause.polarity, clause.withdraws
                earlier.text = _between(sentence, earlier, clause)
            waiting = []
            last = clause
    for clause in waiting:
        reading.review("topic without a clear answer", clause.text)


def _between(sentence: str, first: _Clause, last: _Clause) -> str:
    return sentence[first.tokens[0].start : last.tokens[-1].end]


def _record(clause: _Clause, reading: _Reading, *, absorbed: bool) -> None:
    reading.withdraws |= clause.withdraws
    reading.said_yes |= clause.polarity is True
    reading.acknowledged |= clause.acknowledges
    if clause.reconsiders and reading.reconsider is None:
        reading.reconsider = clause.text
    for topic in clause.without:
        reading.specific.setdefault(topic, []).append((False, clause.text))
    if clause.polarity is None or clause.mixed:
        return
    if clause.only and clause.polarity:
        reading.restricted = True
    for topic in clause.topics:
        reading.specific.setdefault(topic, []).append((clause.polarity, clause.text))
    if clause.excepted:
        if not clause.polarity:
            reading.review("exception to a refusal", clause.text)
        for topic in clause.excepted:
            reading.specific.setdefault(topic, []).append((not clause.polarity, clause.text))
    if not clause.topics and (clause.everything or clause.excepted or not absorbed):
        reading.blanket.append((clause.polarity, clause.text))


def _conclude(reading: _Reading) -> Classification:
    findings: dict[Topic, Finding] = {}
    refusal = Decision.WITHDRAWN if reading.withdraws or reading.reconsider else Decision.REFUSED
    blanket_answers = {answer for answer, _ in reading.blanket}
    for topic in _TOPICS:
        said = reading.specific.get(topic, [])
        answers = {answer for answer, _ in said}
        if len(answers) == 2:
            reading.review(f"yes and no to {topic.value}", said[0][1])
        elif answers == {False}:
            findings[topic] = Finding(refusal, _evidence(said, False))
            if True in blanket_answers and not reading.contrasted:
                reading.review(f"yes and no to {topic.value}", said[0][1])
        elif answers == {True}:
            if False in blanket_answers:
                reading.review(f"yes to {topic.value} after a no", said[0][1])
            else:
                findings[topic] = Finding(Decision.GIVEN, _evidence(said, True))
        elif len(blanket_answers) == 2:
            reading.review("yes and no together", reading.blanket[0][1])
        elif blanket_answers == {False}:
            findings[topic] = Finding(refusal, _evidence(reading.blanket, False))
        elif blanket_answers == {True} and not reading.restricted:
            findings[topic] = Finding(Decision.GIVEN, _evidence(reading.blanket, True))
    says_no = any(finding.decision is not Decision.GIVEN for finding in findings.values())
    if reading.reconsider is not None and not says_no:
        if findings:
            reading.review("change of mind with a yes", reading.reconsider)
        else:
            for topic in _TOPICS:
                findings[topic] = Finding(Decision.WITHDRAWN, _clip(reading.reconsider))
    if not findings and not reading.reasons:
        reading.review(
            "acknowledgement without an answer" if reading.acknowledged else "no answer found"
        )
    if reading.reasons:
        findings = {
            topic: finding
            for topic, finding in findings.items()
            if finding.decision is not Decision.GIVEN
        }
    return Classification(
        MappingProxyType(findings),
        needs_review=bool(reading.reasons),
        review_reasons=tuple(reading.reasons),
    )


def _evidence(said: list[tuple[bool, str]], answer: bool) -> str:
    return _clip(next(text for given, text in said if given is answer))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
