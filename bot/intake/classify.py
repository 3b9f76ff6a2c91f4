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

`sentences` cuts the text and `clause_reading` reads each clause; this module puts a sentence's
clauses together (lists that share an answer, sharing the recording, what only the whole
sentence shows) and concludes the reply's findings.
"""

from __future__ import annotations

from types import MappingProxyType

from bot.intake.clause_reading import Clause, Reading, clip, read_clause
from bot.intake.lexicon import SHARING_WORDS, Kind
from bot.intake.sentences import is_question, split_clauses, split_sentences
from bot.intake.tokens import Token, tokenize
from bot.intake.verdict import Classification, Finding
from domain.terms import Decision, Topic

MAX_REPLY_CHARS = 4_000

_TOPICS = tuple(Topic)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
# Words that mark an exception to a blanket answer: "Yes, but no recording", "yes to the rest".
_CONTRASTING = (Kind.CONTRAST, Kind.EXCEPT, Kind.WITHOUT, Kind.REST)


def classify_text(text: str) -> Classification:
    """Read the sender's own new words (see the module docstring for the rules)."""
    text = text.translate(_QUOTES).strip()
    if not text:
        return _review_only("no new words from the sender")
    if len(text) > MAX_REPLY_CHARS:
        return _review_only(f"reply longer than {MAX_REPLY_CHARS} characters")
    reading = Reading()
    for sentence in split_sentences(text):
        _read_sentence(sentence, reading)
    return _conclude(reading)


def _review_only(reason: str) -> Classification:
    return Classification(MappingProxyType({}), needs_review=True, review_reasons=(reason,))


def _read_sentence(sentence: str, reading: Reading) -> None:
    tokens = tokenize(sentence)
    if not tokens:
        if any(char.isalnum() or not char.isascii() for char in sentence):
            reading.review("not understood", sentence)
        return
    if is_question(sentence, tokens):
        reading.review("question", sentence)
        return
    reading.contrasted |= any(token.kind in _CONTRASTING for token in tokens)
    clauses = [read_clause(sentence, parts, reading) for parts in split_clauses(sentence, tokens)]
    _separate_sharing_the_recording(sentence, tokens, clauses, reading)
    _carry_answers(sentence, clauses, reading)
    _check_sentence(sentence, clauses, reading)
    named = {clause.polarity for clause in clauses if clause.topics and clause.polarity is not None}
    for clause in clauses:
        _record(clause, reading, absorbed=clause.polarity in named)


def _separate_sharing_the_recording(
    sentence: str, tokens: list[Token], clauses: list[Clause], reading: Reading
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


def _check_sentence(sentence: str, clauses: list[Clause], reading: Reading) -> None:
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


def _carry_answers(sentence: str, clauses: list[Clause], reading: Reading) -> None:
    """Give topic-only clauses the answer of their neighbour in a list.

    "I'm happy for it to be recorded, and for documents to be shared" and "Recording,
    documents: yes" answer every topic they list; "Recording is fine but documents..." does not.
    The evidence of a clause that borrows an answer runs to the words that gave it.
    """
    last: Clause | None = None
    waiting: list[Clause] = []
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


def _between(sentence: str, first: Clause, last: Clause) -> str:
    return sentence[first.tokens[0].start : last.tokens[-1].end]


def _record(clause: Clause, reading: Reading, *, absorbed: bool) -> None:
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


def _conclude(reading: Reading) -> Classification:
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
                findings[topic] = Finding(Decision.WITHDRAWN, clip(reading.reconsider))
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
    return clip(next(text for given, text in said if given is answer))
