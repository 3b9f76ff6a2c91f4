"""A consent email read end to end: bytes in, a ConsentReply (or Unreadable) out.

Pure and total: any bytes give a result, never an exception. Emails over the size cap are
refused unread. Automatic replies decide nothing and need no review. The reference token is
looked for in the subject, then anywhere in the body (the quoted request carries it).

The text/plain part is read when there is one, but mail programs show the HTML part beside it:
a consent that the HTML does not show too goes to a person (a plain part can carry words the
HTML hides, and a converter that writes one may keep them).
"""

from __future__ import annotations

from types import MappingProxyType

from bot.intake.authentication import authentication_verdict
from bot.intake.auto_reply import auto_reply_reason
from bot.intake.classify import classify_text
from bot.intake.message import MalformedEmail, parse_email
from bot.intake.reply_text import own_words
from bot.intake.verdict import Classification, ConsentReply, Unreadable
from consent_store.reference import find_legal_reference, find_reference
from domain.terms import Decision

MAX_EMAIL_BYTES = 1024 * 1024
_DECIDES_NOTHING = Classification(MappingProxyType({}), needs_review=False)


def classify_email(raw: bytes, *, max_bytes: int = MAX_EMAIL_BYTES) -> ConsentReply | Unreadable:
    """Read one consent reply from its RFC 5322 bytes."""
    if len(raw) > max_bytes:
        return Unreadable(f"email larger than {max_bytes} bytes")
    try:
        email = parse_email(raw)
    except MalformedEmail as error:
        return Unreadable(str(error))
    automatic = auto_reply_reason(email) is not None
    words = "" if automatic else own_words(email.plain_text, email.html)
    classification = _DECIDES_NOTHING if automatic else classify_text(words)
    if email.html and email.plain_text and email.plain_text.strip():
        classification = _shown_in_html(classification, words, email.html)
    return ConsentReply(
        reference=find_reference(email.subject)
        or find_reference(email.plain_text or "")
        or find_reference(email.html or ""),
        sender=email.sender,
        message_id=email.message_id,
        in_reply_to=email.in_reply_to,
        references=email.references,
        authenticated=authentication_verdict(email.authentication_results),
        auto_reply=automatic,
        classification=classification,
        own_words=words,
        legal_reference=find_legal_reference(email.subject)
        or find_legal_reference(email.plain_text or "")
        or find_legal_reference(email.html or ""),
    )


def _shown_in_html(read: Classification, plain_words: str, html: str) -> Classification:
    """`read` (from `plain_words`, the text/plain part's) with its consent held back for a
    person when the HTML part's visible words do not give the same consent."""
    given = {topic for topic, f in read.findings.items() if f.decision is Decision.GIVEN}
    if not given:
        return read
    shown_words = own_words(None, html)
    if shown_words.split() == plain_words.split():
        return read
    shown = classify_text(shown_words).findings
    if all(topic in shown and shown[topic].decision is Decision.GIVEN for topic in given):
        return read
    return Classification(
        MappingProxyType(
            {topic: f for topic, f in read.findings.items() if f.decision is not Decision.GIVEN}
        ),
        needs_review=True,
        review_reasons=(*read.review_reasons, "the HTML version does not show this consent"),
    )
