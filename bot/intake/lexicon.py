"""The words consent replies are read with: each word or phrase and what it does in an answer.

The vocabulary is closed on purpose. A word that is not here (and is not a near-miss typo of
a cue word, a number or a name) is not understood, and a reply whose answer contains one goes
to a person. Phrases are matched before single words, longest first, so idioms such as
"no problem" or "don't mind" are read whole before "no" and "don't" could negate anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.terms import Topic


class Kind(Enum):
    """What a word does in a consent answer."""

    POSITIVE = "positive"  # yes, agree, happy, fine; idioms: "no problem", "don't mind"
    WEAK_POSITIVE = "weak positive"  # want, like, please, can: positive only about a topic
    ACKNOWLEDGE = "acknowledgement"  # great, noted, sounds good: not an answer on its own
    NEGATOR = "negator"  # not, don't, never: negative only with something to negate
    NEGATIVE = "negative"  # refuse, decline, against, "no thanks", "rather not"
    NO = "no"  # the bare answer "no"
    WITHDRAW = "withdrawal"  # withdraw, revoke, "no longer"
    RECONSIDER = "change of mind"  # "changed my mind", "after all", "on reflection"
    CONDITION = "condition"  # if, unless, "as long as", "provided"
    EXCEPT = "exception"  # except, "apart from", "other than"
    WITHOUT = "without"
    ONLY = "only"
    HEDGE = "hedge"  # maybe, "not sure", "I think", "get back to you"
    QUESTION = "question"  # who, what, how, "can you"
    MATTER = "matter for a person"  # send, attached, delete, copy, see, discuss
    OTHER_OBJECT = "something not asked about"  # meeting, time, date, information
    TOPIC = "topic"
    ALL = "everything"  # all, everything, both, "all of the above"
    REST = "the rest"  # "the rest", "everything else"
    JOIN = "join"  # and, or, plus
    CONTRAST = "contrast"  # but, however, although
    NEUTRAL = "neutral"  # understood, carries no answer


@dataclass(frozen=True, slots=True)
class Sense:
    kind: Kind
    topic: Topic | None = None


def _words(kind: Kind, text: str) -> dict[str, Sense]:
    return dict.fromkeys(text.split(), Sense(kind))


def _phrases(kind: Kind, *phrases: str, topic: Topic | None = None) -> dict[str, Sense]:
    return dict.fromkeys(phrases, Sense(kind, topic))


def _topic_words(topic: Topic, text: str) -> dict[str, Sense]:
    return dict.fromkeys(text.split(), Sense(Kind.TOPIC, topic))


_NEUTRAL_WORDS = """
a about above across actually add added adding afraid after afternoon again ago ahead also always am
amazing an another any anybody anyone anything anyway appreciate appreciated are
around arrange arranged arranging as ask asked asking assistant at
aunt auntie  away back be because been before behalf being below better between bit
boy brother busy by bye care carer carers case caseworker certain cheers child
child's children class college come comes confirm confirmation confirmed confirming
coordinator co-ordinator could council dad daddy daughter days dear did do does doing
done down during email emailed emails end even evening ever everyone everybody family father
feel few for friday from further gave get gets getting girl give given giving go
going gone got grandad grandfather grandma grandmother grandparent guardian had has have
having he he'd he'll he's head headteacher hello help helped helpful helping her here
hers herself hey hi him himself his hiya home hope hoped hoping hopefully husband i i'd i'll
i'm i've im ive in include included including is it it'd it'll it's its itself join
just kid kids kind know known last later least let let's lets letter letting little
local look looking lot lots made make making many me mentioned message mine miss mr mrs ms
dr monday month months more morning most mother much mum mummy must my myself name need needed
needs new next nice now o'clock of off often on once one onto organise organised organising
organize organized other our ours ourselves out over own parent parents part partner people
person plus point points pm am quick quickly quite rather re read reading ready really reason
received regarding regards reply replied replying request requests requested respond responding
response review
right said same saturday say says school schools second senco sen ehcp ehc iass sendiass service
session she she'd she'll she's since sister so some someone something son soon sorry staff
still such sunday support supported supporting take taking talk team thank thanks thankyou that
that'd that'll that's thats the their theirs them themselves then there there's these they
they'd they'll they're they've theyre thing things think this those through thursday to today
together told tomorrow too transition tuesday two three four five six seven eight nine ten
uncle up upon us use used using very via wait was way we we'd we'll we're we've wednesday week
weekend weeks well went were will with work working would write writing wrote year years
yesterday yet you you'd you'll you're you've your yours yourself youre really x xx xxx ta
teacher teachers therapist therapy speech language salt ot psychologist educational ep camhs
nhs gp doctor paediatrician social worker officer authority la adviser advisor keyworker nursery
january february march april june july august september october november december
foster nan nana mom ex online virtual microsoft
sounds change changes changed send sending sent draft drafts recently lately currently
already properly final finally shortly briefly earlier instead either
"""


def _merge(*groups: dict[str, Sense]) -> dict[str, Sense]:
    """One lexicon from its groups; a word in two groups is a mistake, caught at import."""
    merged: dict[str, Sense] = {}
    for group in groups:
        for key, sense in group.items():
            if merged.setdefault(key, sense) != sense:
                raise ValueError(f"lexicon: {key!r} is both {merged[key]} and {sense}")
    return merged


_LEXICON = _merge(
    _words(Kind.NEUTRAL, _NEUTRAL_WORDS),
    _words(
        Kind.POSITIVE,
        "yes yse yess yesss yeah yeh yea yep yup aye sure ok okay okey okie okk oky fine fien happy"
        " hapy agree agreed agrees agreeing consent consents consented consenting accept accepts"
        " accepted accepting absolutely certainly definitely alright approve approved approves"
        " permission glad willing comfortable keen agreement",
    ),
    _words(
        Kind.WEAK_POSITIVE,
        "want wants wanted like wish please can may welcome allowed allow allowing permit"
        " permitted prefer",
    ),
    _words(
        Kind.ACKNOWLEDGE,
        "great lovely perfect brilliant excellent wonderful cool noted good grand super fab"
        " fabulous ace understood",
    ),
    _words(
        Kind.NEGATOR,
        "not don't dont doesn't doesnt didn't didnt won't wont wouldn't wouldnt can't cant cannot"
        " couldn't couldnt shouldn't shouldnt isn't isnt aren't arent wasn't wasnt weren't haven't"
        " havent hasn't hasnt never neither nor mustn't",
    ),
    _words(Kind.NO, "no"),
    _words(
        Kind.NEGATIVE,
        "refuse refuses refused refusing decline declines declined declining object objects"
        " objected objecting objection disagree disagrees disagreed against unhappy uncomfortable"
        " reluctant nope nah none withhold withholding deny denied",
    ),
    _words(
        Kind.WITHDRAW,
        "withdraw withdraws withdrawing withdrawn withdrew revoke revokes revoking revoked"
        " retract retracts retracting retracted rescind rescinding rescinded",
    ),
    _words(Kind.RECONSIDER, "reconsidered reconsider"),
    _words(Kind.CONDITION, "if unless provided providing assuming conditional condition"),
    _words(Kind.EXCEPT, "except excepting excluding"),
    _words(Kind.WITHOUT, "without"),
    _words(Kind.ONLY, "only solely"),
    _words(Kind.HEDGE, "maybe perhaps possibly probably unsure undecided hmm hmmm first whatever"),
    _words(Kind.QUESTION, "who whom whose what when where why how which whether"),
    _words(
        Kind.MATTER,
        "forward forwarding attach attached attaching attachment attachments form"
        " forms signed sign copy copies delete deleted deleting destroy destroyed destroying erase"
        " erased keep kept keeping store stored storing retain retained access see seen seeing"
        " watch watched watching view viewed viewing listen listening hear heard discuss"
        " discussing worried worry concerned anxious nervous complaint complain attend attendance"
        " attending coming joining bring bringing",
    ),
    _phrases(
        Kind.OTHER_OBJECT,
        "be there",
        "make it",
        "be at the meeting",
        "free then",
        "got it",
        "got this",
        "got your email",
        "got your message",
        "have read",
        "i've read",
        "read it",
        "read this",
        "read your email",
        "read the email",
        "received it",
        "received this",
        "received your email",
    ),
    _words(
        Kind.OTHER_OBJECT,
        "meeting meetings meet time times date dates day arrangement arrangements venue location"
        " available availability free"
        " link invite invitation appointment call plan information info details data slot zoom"
        " teams",
    ),
    _words(Kind.ALL, "all everything everythin evrything everyting both each every"),
    _words(Kind.JOIN, "and or"),
    _words(Kind.CONTRAST, "but however although though whereas"),
    _topic_words(
        Topic.RECORDING,
        "record recorded recording recordings recordng recordin video videoed videos film filmed"
        " filming tape taped taping audio",
    ),
    _topic_words(
        Topic.DOCUMENTS,
        "document documents documentation docs doc paperwork papers files reports report share"
        " shares shared sharing show shown showing",
    ),
    _topic_words(
        Topic.CONTRIBUTION,
        "contribute contributes contributed contributing contribution contributions advocate"
        " advocating input ideas participate participating participation views",
    ),
    _topic_words(Topic.LIAISON, "liaison liaisons liaise liaises liaised liaising"),
    _phrases(
        Kind.POSITIVE,
        "all right",
        "go ahead",
        "of course",
        "by all means",
        "no problem",
        "no problems",
        "not a problem",
        "no probs",
        "no prob",
        "no objection",
        "no objections",
        "no issue",
        "no issues",
        "not an issue",
        "no worries",
        "no concerns",
        "no concern",
        "not against",
        "not against it",
        "don't mind",
        "do not mind",
        "dont mind",
        "wouldn't mind",
        "would not mind",
        "wouldnt mind",
        "don't object",
        "do not object",
        "dont object",
        "don't see why not",
        "dont see why not",
        "do not see why not",
        "can't see why not",
        "cant see why not",
        "cannot see why not",
        "see no reason why not",
        "don't have a problem",
        "do not have a problem",
        "dont have a problem",
        "don't have any problem",
        "don't have any problems",
        "do not have any problems",
        "dont have any problems",
        "have no problem",
        "content for",
        "content with",
        "fine by me",
        "ok by me",
        "okay by me",
        "count me in",
        "why not",
        "yes please",
        "no bother",
    ),
    _phrases(
        Kind.ACKNOWLEDGE,
        "sounds good",
        "all good",
        "that works",
        "works for me",
        "will do",
        "good to go",
        "thanks for letting me know",
    ),
    _phrases(
        Kind.NEGATIVE,
        "rather not",
        "prefer not",
        "rather you didn't",
        "rather you did not",
        "rather you didnt",
        "rather you don't",
        "rather you do not",
        "rather you dont",
        "prefer you didn't",
        "prefer you did not",
        "prefer you didnt",
        "prefer you don't",
        "prefer you do not",
        "rather it wasn't",
        "rather it was not",
        "rather it wasnt",
        "prefer it wasn't",
        "prefer it was not",
        "prefer it wasnt",
        "rather you wouldn't",
        "rather you wouldnt",
        "rather you not",
        "no thanks",
        "no thank you",
        "no thankyou",
        "no thx",
        "opt out",
        "say no",
        "saying no",
        "don't think so",
        "dont think so",
        "do not think so",
        "no way",
    ),
    _phrases(
        Kind.WITHDRAW,
        "no longer",
        "take back",
        "taking back",
        "cancel my consent",
        "cancel consent",
        "remove my consent",
        "pull out",
    ),
    _phrases(
        Kind.RECONSIDER,
        "changed my mind",
        "change my mind",
        "changing my mind",
        "changed our minds",
        "changed our mind",
        "change of mind",
        "change of heart",
        "after all",
        "on second thoughts",
        "on second thought",
        "second thoughts",
        "on reflection",
        "having thought about it",
        "thinking about it",
        "thought about it",
    ),
    _phrases(
        Kind.CONDITION,
        "as long as",
        "so long as",
        "on condition",
        "on the condition",
        "subject to",
        "on the understanding",
        "depends",
        "depending",
        "as far as",
        "in case",
        "on the basis",
    ),
    _phrases(
        Kind.NEUTRAL,
        "let me know",
        "let me know if",
        "if you need anything",
        "if you need anything else",
        "if you need anything further",
        "if you need any more information",
        "if you need more information",
        "if you need any further information",
        "if you have any questions",
        "if you have any further questions",
        "if there is anything else",
        "if there's anything else",
        "if you need me",
        "first of all",
        "first time",
        "see you at the meeting",
        "see you at the meeting then",
        "look forward to the meeting",
        "looking forward to the meeting",
        "look forward to meeting you",
        "looking forward to meeting you",
        "thanks for sending",
        "thank you for sending",
        "thanks for arranging",
        "thank you for arranging",
        "thanks for organising",
        "thank you for organising",
        "happy christmas",
        "merry christmas",
        "happy new year",
        "happy easter",
        "happy holidays",
        "happy birthday",
        "happy to help",
        "if that's ok",
        "if that's okay",
        "if that is ok",
        "if that is okay",
        "if that's alright",
        "if that's all right",
        "see you",
        "at all",
        "all the best",
        "thanks for all",
        "for all your",
        "consent email",
        "consent emails",
        "consent request",
        "consent letter",
        "consent question",
        "consent questions",
        "about consent",
        "regarding consent",
        "re consent",
        "for your records",
        "for our records",
        "can't wait",
        "cant wait",
        "don't hesitate",
        "do not hesitate",
        "dont hesitate",
        "just to confirm",
        "to confirm",
        "in my opinion",
        "in my view",
        "look forward",
        "looking forward",
        "best wishes",
        "kind regards",
        "many thanks",
        "thank you",
        "good morning",
        "good afternoon",
        "good evening",
        "take care",
        "speak soon",
        "have a good day",
        "have a nice day",
        "hope you are well",
        "hope you're well",
        "on file",
    ),
    _phrases(
        Kind.EXCEPT,
        "except for",
        "all but",
        "everything but",
        "apart from",
        "other than",
        "aside from",
        "not including",
        "with the exception of",
    ),
    _phrases(
        Kind.HEDGE,
        "not sure",
        "not certain",
        "not too sure",
        "i think",
        "i guess",
        "i suppose",
        "i believe",
        "think so",
        "not yet",
        "let me think",
        "get back to you",
        "let you know",
        "need to check",
        "need to ask",
        "need to think",
        "don't know",
        "dont know",
        "do not know",
        "no idea",
        "not decided",
        "haven't decided",
        "havent decided",
        "have not decided",
        "will confirm",
        "will reply",
        "reply later",
        "get back",
        "come back to you",
        "know more",
        "find out more",
        "more information",
        "more info",
        "more details",
        "before i agree",
        "before i decide",
        "not at all",
        "in principle",
        "should be fine",
        "should be ok",
    ),
    _phrases(
        Kind.QUESTION,
        "can you",
        "could you",
        "would you",
        "will you",
        "can i",
        "could i",
        "i wonder",
        "i was wondering",
    ),
    _phrases(
        Kind.MATTER,
        "consent form",
        "consent forms",
        "third party",
        "third parties",
        "call me",
        "ring me",
        "phone me",
        "contact me",
        "email me",
        "text me",
        "speak to you",
        "speak with you",
        "talk to you",
        "talk with you",
        "talk about",
        "chat about",
        "speak about",
        "send me",
        "send us",
        "send it",
        "send them",
        "send over",
        "send a copy",
        "forward me",
    ),
    _phrases(
        Kind.ALL,
        "all of the above",
        "the above",
        "all the above",
        "all above",
        "all of it",
        "all of them",
        "all three",
        "all 3",
        "all points",
        "all parts",
        "all of that",
        "the lot",
        "all requests",
        "all questions",
    ),
    _phrases(
        Kind.REST,
        "the rest",
        "everything else",
        "the others",
        "the other two",
        "the other 2",
        "other parts",
        "the remaining",
        "the other things",
        "the other points",
        "the rest of it",
        "rest of it",
        "all else",
    ),
    _phrases(Kind.JOIN, "as well as", "and also"),
    _phrases(Kind.TOPIC, "video recording", topic=Topic.RECORDING),
    _phrases(
        Kind.TOPIC,
        "screen share",
        "screen sharing",
        "the draft",
        "draft plan",
        "ehc plan",
        topic=Topic.DOCUMENTS,
    ),
    _phrases(
        Kind.TOPIC,
        "speak on my behalf",
        "speak on our behalf",
        "speak for me",
        "speak for us",
        "speak up for",
        "speak up",
        "on my behalf",
        "on our behalf",
        "join in",
        "take part",
        "chip in",
        "have your say",
        "have a say",
        "your views",
        "your view",
        "a view",
        "your opinion",
        "your opinions",
        "give your views",
        "put your views",
        "put forward",
        "the talking",
        *(
            f"share {whose}{what}"
            for whose in ("", "your ", "her ", "his ", "their ", "my ", "our ")
            for what in ("views", "view", "ideas", "thoughts", "opinion", "opinions")
        ),
        topic=Topic.CONTRIBUTION,
    ),
)

# Topic words for documents that are verbs of sharing: with a recording word they speak of
# sharing the recording ("recorded and shared with the school"), not of documents.
SHARING_WORDS = frozenset({"share", "shares", "shared", "sharing", "show", "shown", "showing"})

# "SEND" in capitals is the sector's name for special educational needs, not the verb.
CASE_SENSITIVE = {"SEND": Sense(Kind.NEUTRAL)}

WORDS: dict[str, Sense] = {key: sense for key, sense in _LEXICON.items() if " " not in key}
PHRASES: dict[tuple[str, ...], Sense] = {
    tuple(key.split()): sense for key, sense in _LEXICON.items() if " " in key
}
PHRASE_LENGTHS: dict[str, int] = {}
for _phrase in PHRASES:
    PHRASE_LENGTHS[_phrase[0]] = max(PHRASE_LENGTHS.get(_phrase[0], 0), len(_phrase))


def _split(words: str) -> list[str]:
    return words.split()


# Cue words worth matching through a one-letter typo ("recoreded", "documnets", "agre").
_TYPO_TARGETS = _split(
    "recording recorded record recordings documents document contribute contribution "
    "contributing consent consented agree agreed happy absolutely definitely certainly "
    "permission withdraw withdrawing refuse decline everything comfortable uncomfortable "
    "objection paperwork participate liaison liaise liaising"
)


def _deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


TYPO_VARIANTS: dict[str, str] = {}
for _target in _TYPO_TARGETS:
    for _variant in (_target, *_deletions(_target)):
        TYPO_VARIANTS.setdefault(_variant, _target)


def typo_target(word: str) -> str | None:
    """The cue word `word` is one edit away from (same first letter), or None.

    Symmetric-deletion matching: two words are within one insertion, deletion, substitution
    or adjacent transposition when they, or one deletion of each, coincide.
    """
    if len(word) < 4:
        return None
    for candidate in (word, *_deletions(word)):
        target = TYPO_VARIANTS.get(candidate)
        if target is not None and target[0] == word[0]:
            return target
    return None
