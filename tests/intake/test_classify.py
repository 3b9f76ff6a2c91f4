"""The consent language rules, one behaviour per case, on the sender's own words."""

from __future__ import annotations

import pytest

from bot.intake import classify_text
from bot.intake.guidance import NO_TO_EVERYTHING, WITHDRAWAL, YES_TO_EVERYTHING, answer_line
from domain.terms import Decision, Topic

G, R, W = Decision.GIVEN, Decision.REFUSED, Decision.WITHDRAWN
ALL = tuple(Topic)
REC, DOCS, CON, LIA = Topic.RECORDING, Topic.DOCUMENTS, Topic.CONTRIBUTION, Topic.LIAISON


def decisions(text: str) -> dict[Topic, Decision]:
    classification = classify_text(text)
    return {topic: finding.decision for topic, finding in classification.findings.items()}


def everything(decision: Decision) -> dict[Topic, Decision]:
    return dict.fromkeys(ALL, decision)


CLEAR = [
    ("Yes", everything(G)),
    ("Yes, that's fine.", everything(G)),
    ("I agree to all of the above", everything(G)),
    ("happy with everything", everything(G)),
    ("yse thats fine", everything(G)),
    ("Definately fine", everything(G)),
    ("No problem at all", everything(G)),
    ("I have no objection", everything(G)),
    ("I don't mind", everything(G)),
    ("Happy for it to be recoreded", {REC: G}),
    ("You can record it", {REC: G}),
    ("Yes to the recording only.", {REC: G}),
    ("I do not consent", everything(R)),
    ("I don't agree", everything(R)),
    ("No thanks", everything(R)),
    ("Nope", everything(R)),
    ("None of the above", everything(R)),
    ("I'm not happy for it to be recorded", {REC: R}),
    ("I'd rather you didn't", everything(R)),
    ("Please don't record the meeting", {REC: R}),
    ("No recording please", {REC: R}),
    ("I object to the recording", {REC: R}),
    ("I withdraw my consent", everything(W)),
    ("I no longer consent to recording", {REC: W}),
    ("I've changed my mind, please don't record after all", {REC: W}),
    ("Please don't record after all", {REC: W}),
    ("Recording is fine but please don't share documents", {REC: G, DOCS: R}),
    ("Yes to everything apart from the recording", everything(G) | {REC: R}),
    ("Yes, except the recording", everything(G) | {REC: R}),
    ("Happy to go ahead without recording", everything(G) | {REC: R}),
    ("No to recording, yes to the rest", everything(G) | {REC: R}),
    ("Yes. No documents though.", everything(G) | {DOCS: R}),
    ("Recording, documents: yes", {REC: G, DOCS: G}),
    ("I don't want it recorded or the documents shared", {REC: R, DOCS: R}),
    ("Yes, Priya can speak on my behalf", {CON: G}),
    ("Priya can contribute", {CON: G}),
    ("Yes she can join in the talking", {CON: G}),
    ("Hi Sarah,\n\nYes that's fine.\n\nJane", everything(G)),
    ("I'd rather you didn't record it if that's ok", {REC: R}),
    ("Consent not given", everything(R)),
    ("Recording yes documents no", {REC: G, DOCS: R}),
    ("Liaison: yes", {LIA: G}),
    ("Recording: no\nLiaison: yes", {REC: R, LIA: G}),
    ("I withdraw my consent to liaison", {LIA: W}),
    ("Yes to all but recording", everything(G) | {REC: R}),
    ("I'm happy for it to be recorded and the documents shared", {REC: G, DOCS: G}),
    ("Yes I have read it and I'm happy with everything", everything(G)),
    ("Let me know if anything changes. Yes that's fine", everything(G)),
]


@pytest.mark.parametrize(("text", "expected"), CLEAR)
def test_clear_replies_are_decided_without_review(
    text: str, expected: dict[Topic, Decision]
) -> None:
    classification = classify_text(text)
    assert decisions(text) == expected
    assert not classification.needs_review, classification.review_reasons


REVIEW = [
    ("Yes as long as the recording is deleted afterwards", {}),
    ("Yes but only if my ex-partner isn't there", {}),
    ("Provided it stays with the service, yes", {}),
    ("Will it be recorded?", {}),
    ("Who will see the recording", {}),
    ("Yes that's fine. What time is it?", {}),
    ("Can you send me the documents first", {}),
    ("Maybe", {}),
    ("I'm not sure about the recording", {}),
    ("I think so", {}),
    ("Ydw, mae hynny'n iawn", {}),
    ("Tak, zgadzam się", {}),
    ("جی ہاں", {}),
    ("Ji haan theek hai", {}),
    ("OK, zgoda", {}),
    ("Yes. Diolch yn fawr", {}),
    ("👍", {}),
    ("No, that's fine", {}),
    ("1. Yes 2. No", {}),
    ("Great, thanks", {}),
    ("Thanks, see you on Tuesday", {}),
    ("Yes, the time is fine", {}),
    ("Yes, I'll be there", {}),
    ("Yes but I'd like to know more first", {}),
    ("I've changed my mind, happy for it to be recorded now", {}),
    ("Recording is fine but documents", {}),
    ("The recording", {}),
    ("I won't be able to make it", {}),
    ("Yes, I don't want it recorded", {REC: R}),
    ("Yes. No documents please.", {DOCS: R}),
    ("I'm happy for it to be recorded. I'd rather it wasn't recorded.", {}),
    ("No. Happy for the documents to be shared though.", {REC: R, CON: R, LIA: R}),
    (
        "You can share the documents as long as the school doesn't get copies. No recording.",
        {REC: R},
    ),
    ("I don't agree to anything except the recording", {DOCS: R, CON: R, LIA: R}),
    ("Yes I got it", {}),
    ("Happy to help", {}),
    ("Yes, I am available", {}),
    ("Yes. My partner is also coming.", {}),
    ("I'm happy to talk about it", {}),
    ("Happy for the meeting to be recorded and shared with the school", {}),
    ("Fine by me, as long as my son isn't on camera", {}),
    ("", {}),
    ("x" * 5000, {}),
]


@pytest.mark.parametrize(("text", "expected"), REVIEW)
def test_unclear_replies_go_to_review_and_give_nothing(
    text: str, expected: dict[Topic, Decision]
) -> None:
    classification = classify_text(text)
    assert classification.needs_review
    assert classification.review_reasons
    assert G not in decisions(text).values()
    assert decisions(text) == expected


def test_evidence_names_the_deciding_phrase() -> None:
    classification = classify_text("Recording is fine but please don't share documents. Thanks")
    assert classification.findings[REC].evidence == "Recording is fine"
    assert classification.findings[DOCS].evidence == "please don't share documents"


def test_review_reasons_name_the_phrase() -> None:
    classification = classify_text("Yes as long as it is only used by the service")
    assert any("as long as" in reason for reason in classification.review_reasons)


def test_guidance_answers_read_as_meant() -> None:
    assert decisions(YES_TO_EVERYTHING) == everything(G)
    assert decisions(NO_TO_EVERYTHING) == everything(R)
    assert decisions(WITHDRAWAL) == everything(W)
    assert decisions(f"{WITHDRAWAL} to recording") == {REC: W}
    lines = "\n".join(answer_line(topic, agree=topic is not DOCS) for topic in ALL)
    assert decisions(lines) == everything(G) | {DOCS: R}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, I agree to everything.", everything(G)),
        ("Yes to the recording, but please do not share the documents.", {REC: G, DOCS: R}),
        ("No, I do not agree.", everything(R)),
        ("Yes to everything.", everything(G)),
        ("Yes to recording, no to the documents.", {REC: G, DOCS: R}),
        ("No.", everything(R)),
    ],
)
def test_consent_request_examples_read_as_meant(text: str, expected: dict[Topic, Decision]) -> None:
    """The example answers in templates/email/consent_request_*.txt.j2."""
    assert decisions(text) == expected
    assert not classify_text(text).needs_review
