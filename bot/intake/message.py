"""RFC 5322 bytes to a small immutable ParsedEmail: the headers intake needs and the body text.

Header blocks are parsed with the compat32 policy, which is many times faster than
`policy.default`, and in headers-only mode: multipart bodies are split at their boundaries
here, because the full parser compiles a regular expression for every boundary it meets (about
half the time spent on a typical multipart reply, as boundaries are unique). Parts are decoded
by hand: transfer encodings through `get_payload(decode=True)`, character sets with a fallback
to UTF-8 and windows-1252 and, failing those, replacement characters. Only the first
text/plain and the first text/html body part are kept; attachments and attached messages are
counted, never read.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser, Parser
from email.policy import compat32
from email.utils import parseaddr

MAX_PARTS = 64
MAX_DEPTH = 16
MAX_SUBJECT_CHARS = 1_000  # longer subjects are kept as written, not decoded

# Decoders that can be slow on hostile input or that turn escapes into arbitrary text.
_UNSAFE_CODECS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}
)
_WANTED_HEADERS = frozenset(
    {
        "subject",
        "from",
        "message-id",
        "in-reply-to",
        "references",
        "authentication-results",
        "auto-submitted",
        "x-auto-response-suppress",
        "precedence",
        "x-autoreply",
        "x-autorespond",
    }
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>\s*$")
_BARE_ADDRESS = re.compile(r"\s*([^<>\s@\",;:()]+@[^<>\s@\",;:()]+)\s*")
# Content-Type parameters read without the (slow) general parameter parser; an RFC 2231
# `charset*=` falls back to it.
_CHARSET = re.compile(r"\bcharset\*?\s*=\s*\"?([^\";\s]+)", re.IGNORECASE)
_FLOWED = re.compile(r"\bformat\s*=\s*\"?flowed\b", re.IGNORECASE)
_DELSP = re.compile(r"\bdelsp\s*=\s*\"?yes\b", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_PARSER = BytesParser(policy=compat32)
_PART_PARSER = Parser(policy=compat32)


class MalformedEmail(ValueError):
    """The bytes are not an email intake can read; the message says why."""


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """The parts of one email that consent intake looks at.

    `authentication_results` is the topmost Authentication-Results header (the one the
    receiving tenant added last). Header values are unfolded; the subject is decoded.
    """

    subject: str
    sender: str | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    authentication_results: str | None
    auto_submitted: str | None
    auto_response_suppress: str | None
    precedence: str | None
    autoreply_header: str | None
    content_type: str
    plain_text: str | None
    html: str | None
    has_attachments: bool


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse `raw`; raises MalformedEmail for bytes with no header fields."""
    message = _PARSER.parsebytes(raw, headersonly=True)
    if not len(message):
        raise MalformedEmail("no header fields: not an email")
    headers = _first_headers(message)
    plain, html, has_attachments = _bodies(message)
    return ParsedEmail(
        subject=_decode_words(headers.get("subject", "")),
        sender=_address(headers.get("from")),
        message_id=_first_id(headers.get("message-id")),
        in_reply_to=_first_id(headers.get("in-reply-to")),
        references=tuple(_MESSAGE_ID.findall(headers.get("references", ""))),
        authentication_results=headers.get("authentication-results"),
        auto_submitted=headers.get("auto-submitted"),
        auto_response_suppress=headers.get("x-auto-response-suppress"),
        precedence=headers.get("precedence"),
        autoreply_header=headers.get("x-autoreply", headers.get("x-autorespond")),
        content_type=message.get_content_type(),
        plain_text=plain,
        html=html,
        has_attachments=has_attachments,
    )


def _first_headers(message: Message) -> dict[str, str]:
    """The first value of each wanted header, unfolded, 8-bit bytes read as UTF-8."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key in _WANTED_HEADERS and key not in found:
            found[key] = _WHITESPACE.sub(" ", _from_raw(str(value))).strip()
    return found


def _from_raw(value: str) -> str:
    """compat32 keeps 8-bit header bytes as surrogate escapes; read them as UTF-8."""
    if value.isascii():
        return value
    try:
        return value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _clean(value)


def _decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words; undecodable words are kept as written."""
    if "=?" not in value or len(value) > MAX_SUBJECT_CHARS:
        return value
    try:
        chunks = decode_header(value)
    except (HeaderParseError, ValueError):
        return value
    return "".join(
        chunk if isinstance(chunk, str) else _decode_text(chunk, charset)
        for chunk, charset in chunks
    )


def _address(value: str | None) -> str | None:
    """The sender's address, lower-cased; the common "Name <address>" form skips parseaddr."""
    if not value:
        return None
    match = _ANGLE_ADDRESS.search(value) or _BARE_ADDRESS.fullmatch(value)
    address = (match.group(1) if match else parseaddr(value)[1]).strip().lower()
    return address if "@" in address else None


def _first_id(value: str | None) -> str | None:
    if not value:
        return None
    match = _MESSAGE_ID.search(value)
    return match.group(0) if match else None


def _bodies(message: Message) -> tuple[str | None, str | None, bool]:
    """The first inline text/plain and text/html parts, and whether anything else is attached."""
    plain: str | None = None
    html: str | None = None
    has_attachments = False
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack and seen < MAX_PARTS:
        part, depth = stack.pop()
        seen += 1
        content_type = part.get_content_type()
        if content_type.startswith("message/"):
            has_attachments = True
            continue
        if content_type.startswith("multipart/"):
            if depth < MAX_DEPTH:
                children = _split_multipart(part)
                stack.extend((child, depth + 1) for child in reversed(children))
            continue
        disposition = str(part.get("Content-Disposition", "")).lower()
        if "attachment" in disposition or "filename" in disposition:
            has_attachments = True
        elif content_type == "text/plain" and plain is None:
            parameters = str(part.get("Content-Type", ""))
            plain = _part_text(part, parameters)
            if _FLOWED.search(parameters):
                plain = _unflow(plain, delsp=_DELSP.search(parameters) is not None)
        elif content_type == "text/html" and html is None:
            html = _part_text(part, str(part.get("Content-Type", "")))
        elif not content_type.startswith("text/"):
            has_attachments = True
    return plain, html, has_attachments


def _split_multipart(part: Message) -> list[Message]:
    """The body parts of a multipart, each parsed headers-only (RFC 2046 section 5.1.1).

    A delimiter is "--" and the boundary at the start of a line; the line break before it
    belongs to it; "--" after the boundary closes the multipart. Text before the first
    delimiter and after the closing one is not a part.
    """
    boundary = part.get_boundary()
    payload = part.get_payload(decode=True)  # bytes as sent: 8-bit parts survive
    if not boundary or not isinstance(payload, bytes):
        return []
    body = payload.decode("ascii", "surrogateescape")
    delimiter = "--" + boundary
    contents: list[str] = []
    content_start: int | None = None
    position = body.find(delimiter)
    while position != -1 and len(contents) < MAX_PARTS:
        if position == 0 or body[position - 1] == "\n":
            if content_start is not None:
                end = position - 2 if body[position - 2 : position] == "\r\n" else position - 1
                contents.append(body[content_start:end])
                content_start = None
            after = position + len(delimiter)
            if body.startswith("--", after):
                break
            line_end = body.find("\n", after)
            if line_end == -1:
                break
            content_start = line_end + 1
        position = body.find(delimiter, position + 1)
    if content_start is not None:
        contents.append(body[content_start:])  # no closing delimiter: the rest is the last part
    return [_PART_PARSER.parsestr(content, headersonly=True) for content in contents]


def _part_text(part: Message, content_type: str) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    match = _CHARSET.search(content_type)
    if match and "*" not in match.group(0):
        charset: str | None = match.group(1)
    else:
        charset = part.get_content_charset()
    return _decode_text(payload, charset)


def _decode_text(data: bytes, charset: str | None) -> str:
    """The declared charset if it decodes cleanly, else UTF-8, else windows-1252, else lossy."""
    for candidate in (_safe_codec(charset), "utf-8", "windows-1252"):
        if candidate is None:
            continue
        try:
            return _clean(data.decode(candidate))
        except (LookupError, UnicodeError):
            continue
    return data.decode("utf-8", "replace")


def _safe_codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    return None if name in _UNSAFE_CODECS else name


def _clean(text: str) -> str:
    """Replace lone surrogates (which some decoders produce) so the text encodes as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _unflow(text: str, *, delsp: bool) -> str:
    """Undo format=flowed soft line breaks (RFC 3676): a line ending in a space continues."""
    lines = text.replace("\r\n", "\n").split("\n")
    joined: list[str] = []
    carry = ""
    for line in lines:
        if line.endswith(" ") and line.rstrip() != "--":
            carry += line[:-1] if delsp else line
            continue
        joined.append(carry + line)
        carry = ""
    if carry:
        joined.append(carry)
    return "\n".join(joined)
