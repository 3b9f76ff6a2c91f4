"""Automatic replies: out-of-office notices, bounces and read receipts, which decide nothing.

Recognised by RFC 3834 `Auto-Submitted` (any value but `no`), Exchange's
`X-Auto-Response-Suppress`, `X-Autoreply`/`X-Autorespond`, `Precedence: auto_reply|bulk|junk`,
a `multipart/report` body (delivery and read reports), a mailer-daemon or postmaster sender, or
a subject that starts with an automatic-reply label (English and the languages Outlook and
Gmail commonly use for them, after any RE:/FW: prefixes).
"""

from __future__ import annotations

import re

from bot.intake.message import ParsedEmail

_SYSTEM_SENDERS = ("mailer-daemon@", "postmaster@")
_BULK_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|vs|wg|antw|odp|rv|tr)\s*:\s*)*"
    r"(?:automatic\s+reply|auto[\s-]?reply|auto[\s-]?response|autoresponse"
    r"|out\s+of\s+(?:the\s+)?office|ooo\b|away\s+from\s+(?:the\s+)?office"
    r"|r[ée]ponse\s+automatique|respuesta\s+autom[áa]tica|risposta\s+automatica"
    r"|automatische\s+antwort|abwesenheitsnotiz|automatisch\s+antwoord"
    r"|odpowied[źz]\s+automatyczna|ateb\s+awtomatig|r[ăa]spuns\s+automat"
    r"|undeliverable|undelivered|delivery\s+status\s+notification"
    r"|mail\s+delivery\s+(?:failed|failure|subsystem)|returned\s+mail|read\s*:|not\s+read\s*:)",
    re.IGNORECASE,
)


def auto_reply_reason(email: ParsedEmail) -> str | None:
    """Why `email` is an automatic message, or None when a person seems to have written it."""
    auto_submitted = (email.auto_submitted or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "Auto-Submitted header"
    if email.auto_response_suppress is not None:
        return "X-Auto-Response-Suppress header"
    if email.autoreply_header is not None:
        return "X-Autoreply header"
    if (email.precedence or "").strip().lower() in _BULK_PRECEDENCE:
        return "Precedence header"
    if email.content_type == "multipart/report":
        return "delivery or read report"
    if email.sender and email.sender.startswith(_SYSTEM_SENDERS):
        return "mail system sender"
    if _AUTO_SUBJECT.match(email.subject):
        return "automatic-reply subject"
    return None
