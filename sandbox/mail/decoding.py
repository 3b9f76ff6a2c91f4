"""Reading stored mail however it was written. Exchange accepts a message whatever its MIME
says, so an unknown charset, bytes its charset cannot decode, a malformed header or a broken
multipart never stop a message being listed or read: text that cannot be decoded is shown
with U+FFFD replacement characters, a header the parser fails on is shown as written, and the
message's MIME (`$value`) stays the bytes that arrived."""

from __future__ import annotations

import re
from email.errors import MessageError
from email.message import EmailMessage

MIME_FAILURES = (MessageError, AttributeError, IndexError, LookupError, TypeError, ValueError)
"""What the standard library's email package raises on some malformed messages, where it
usually records a defect instead: `Message-ID: <<<>>>` raises IndexError, a text part in the
`punycode` charset raises UnicodeDecodeError even when asked to replace what it cannot
decode, an unknown charset raises LookupError."""


def readable(text: str) -> str:
    """`text` with lone surrogates (undecodable header bytes) as U+FFFD, as JSON needs."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def header(message: EmailMessage, name: str) -> object:
    """The header as the email package parses it (addresses, date-time), or its text as
    written when the parser fails on it; None when the message has no such header."""
    try:
        return message.get(name)
    except MIME_FAILURES:
        return next(
            (readable(v) for k, v in message.raw_items() if k.lower() == name.lower()), None
        )


def header_text(message: EmailMessage, name: str) -> str:
    """The header's decoded text, or "" when the message has none."""
    value = header(message, name)
    return "" if value is None else readable(str(value))


def header_items(message: EmailMessage) -> list[tuple[str, str]]:
    """Every header, in order, as decoded text (as written where the parser fails on it)."""
    items = []
    for name, raw in message.raw_items():
        try:
            value = str(message.policy.header_fetch_parse(name, raw))
        except MIME_FAILURES:
            value = raw
        items.append((name, readable(value)))
    return items


def part_text(part: EmailMessage) -> str:
    """A text part's content, decoded by its charset; as UTF-8 with replacement characters
    when the charset is unknown or cannot decode it."""
    try:
        content = part.get_content()
    except MIME_FAILURES:
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return readable(content) if isinstance(content, str) else ""


def raw_body_text(mime: bytes) -> str:
    """Everything after the header block, as UTF-8 with replacement characters: the body of a
    message whose MIME structure cannot be read."""
    parts = re.split(rb"\r?\n\r?\n", mime, maxsplit=1)
    return parts[1].decode("utf-8", "replace") if len(parts) == 2 else ""
