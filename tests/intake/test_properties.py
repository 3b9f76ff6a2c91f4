"""Whatever arrives, classification returns a result or an Unreadable; it never raises.

And it keeps its promise on any text: a reply that needs review gives no consent.
"""

from __future__ import annotations

import base64
import quopri

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake import ConsentReply, Unreadable, classify_email, classify_text
from domain.terms import Decision

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

CHARSETS = st.sampled_from(
    [
        "utf-8",
        "us-ascii",
        "windows-1252",
        "iso-8859-1",
        "iso-8859-2",
        "utf-16",
        "utf-7",
        "shift_jis",
        "koi8-r",
        "gb2312",
        "idna",
        "punycode",
        "unicode-escape",
        "rot13",
        "hex",
        "bogus-charset",
        "",
        'utf-8"; x="',
    ]
)
ENCODINGS = st.sampled_from(
    ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", ""]
)
CONTENT_TYPES = st.sampled_from(
    [
        "text/plain",
        "text/html",
        "text/plain; format=flowed; delsp=yes",
        "multipart/alternative",
        "multipart/mixed",
        "multipart/report",
        "message/rfc822",
        "application/pdf",
        "image/png",
        "text/enriched",
        "",
        "multipart/",
    ]
)
HEADER_NAMES = st.sampled_from(
    [
        "From",
        "Subject",
        "Authentication-Results",
        "Auto-Submitted",
        "X-Auto-Response-Suppress",
        "Precedence",
        "Content-Disposition",
        "Message-ID",
        "In-Reply-To",
        "References",
        "X-Other",
    ]
)
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300
) | st.sampled_from(
    [
        "Yes, I agree to everything.",
        "No.",
        "On Mon, 3 Nov 2025 Jo wrote:\n> I agree",
        "<div id=divRplyFwdMsg>x</div><blockquote>I agree</blockquote>",
        "=?utf-8?b?///=?= =?bogus?q?x?=",
        "dmarc=pass; compauth=fail (a(b)c) \\",
        "On On On On On On On On On On On On wrote:",
        "IASS-7K3M9Q2P",
        "\x00\r\n\r\n",
    ]
)


@st.composite
def mime_parts(draw: st.DrawFn, depth: int = 0) -> bytes:
    headers = [
        f"{name}: {value}".encode("utf-8", "replace")
        for name, value in draw(st.lists(st.tuples(HEADER_NAMES, TEXT), max_size=4))
    ]
    content_type = draw(CONTENT_TYPES)
    charset = draw(CHARSETS)
    encoding = draw(ENCODINGS)
    headers.append(f'Content-Type: {content_type}; charset="{charset}"'.encode())
    headers.append(f"Content-Transfer-Encoding: {encoding}".encode())
    if content_type.startswith("multipart/") and depth < 3:
        boundary = draw(st.sampled_from(["b1", "b2", "=_x", ""]))
        headers[-2] += f'; boundary="{boundary}"'.encode()
        children = draw(st.lists(mime_parts(depth + 1), max_size=3))
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + child + b"\r\n" for child in children)
        body += b"--" + boundary.encode() + b"--\r\n"
    else:
        text = draw(TEXT)
        try:
            raw = text.encode(charset or "utf-8")
        except (LookupError, UnicodeError, TypeError):
            raw = text.encode("utf-8", "replace")
        if encoding == "base64":
            raw = base64.encodebytes(raw)
        elif encoding == "quoted-printable":
            raw = quopri.encodestring(raw)
        body = draw(st.sampled_from([raw, raw[: len(raw) // 2], raw + b"=\r\n=ZZ"]))
    return b"\r\n".join(headers) + b"\r\n\r\n" + body


def check(result: ConsentReply | Unreadable) -> None:
    assert isinstance(result, ConsentReply | Unreadable)
    if isinstance(result, ConsentReply):
        classification = result.classification
        given = Decision.GIVEN in {f.decision for f in classification.findings.values()}
        assert not (given and classification.needs_review)
        if result.auto_reply:
            assert not classification.findings
            assert not classification.needs_review
    else:
        assert result.reason


@PROPERTY_SETTINGS
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    check(classify_email(raw))


@PROPERTY_SETTINGS
@given(mime_parts())
def test_arbitrary_mime_never_raises(raw: bytes) -> None:
    check(classify_email(b"From: a@example.org\r\n" + raw))


@PROPERTY_SETTINGS
@given(TEXT)
def test_any_text_review_gives_nothing(text: str) -> None:
    classification = classify_text(text)
    decided = {finding.decision for finding in classification.findings.values()}
    assert not (Decision.GIVEN in decided and classification.needs_review)
    assert classification.needs_review == bool(classification.review_reasons)


def test_oversized_email_is_refused_unread() -> None:
    result = classify_email(b"From: a@example.org\r\n\r\n" + b"yes " * 10, max_bytes=20)
    assert isinstance(result, Unreadable)
    assert "larger than 20 bytes" in result.reason


def test_deep_nesting_never_raises() -> None:
    nested = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(3000)
    )
    check(classify_email(b"From: a@example.org\r\n" + nested))
