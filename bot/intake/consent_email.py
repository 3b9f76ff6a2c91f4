"""A consent email read end to end: bytes in, a ConsentReply (or Unreadable) out.

Pure and total: any bytes give a result, never an exception. Emails over the size cap are
refused unread. Automatic replies decide nothing and need no review. The reference token is
looked for in the subject, then anywhere in the body (the quoted request carries it).
"""

from __future__ import annotations

from types import MappingProxyType

from bot.intake.authentication import authentication_verdict
from bot.intake.auto_reply import auto_reply_reason
from bot.intake.classify import classify_text
from bot.intake.message import MalformedEmail, parse_email
from bot.intake.reply_text import own_words
from bot.intake.verdict import Classification, ConsentReply, Unreadable
from consent_store.reference import find_reference

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
        classification=_DECIDES_NOTHING if automatic else classify_text(words),
        own_words=words,
    )
