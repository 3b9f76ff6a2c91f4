"""Parsing email bytes: headers, bodies, charsets, transfer encodings, attachments."""

from __future__ import annotations

import base64

import pytest

from bot.intake.auto_reply import auto_reply_reason
from bot.intake.message import MalformedEmail, parse_email

HEAD = b"From: Jo Bloggs <Jo.Bloggs@Example.org>\r\nSubject: RE: meeting\r\n"


def test_headers() -> None:
    email = parse_email(
        b"Authentication-Results: dmarc=pass\r\n header.from=example.org\r\n"
        b"Authentication-Results: mx.example.net; dmarc=fail\r\n"
        + HEAD
        + b"Message-ID: <a@example.org>\r\nIn-Reply-To: <r@iass.example.com>\r\n"
        b"References: <q@iass.example.com>\r\n <r@iass.example.com>\r\n\r\nYes"
    )
    assert email.sender == "jo.bloggs@example.org"
    assert email.subject == "RE: meeting"
    assert email.message_id == "<a@example.org>"
    assert email.in_reply_to == "<r@iass.example.com>"
    assert email.references == ("<q@iass.example.com>", "<r@iass.example.com>")
    assert email.authentication_results == "dmarc=pass header.from=example.org"
    assert email.plain_text == "Yes"


def test_encoded_subject_and_8bit_headers() -> None:
    email = parse_email(
        b"From: =?utf-8?q?Zo=C3=AB?= <zoe@example.org>\r\n"
        b"Subject: =?utf-8?b?UmU6IENhbmlhdMOiZA==?= [IASS-7K3M9Q2P]\r\n\r\nYes"
    )
    assert email.subject == "Re: Caniatâd [IASS-7K3M9Q2P]"
    raw = parse_email(b"From: zoe@example.org\r\nSubject: Caf\xc3\xa9\r\n\r\nYes")
    assert raw.subject == "Café"


@pytest.mark.parametrize(
    ("part", "text"),
    [
        (b"Content-Type: text/plain; charset=windows-1252\r\n\r\nI\x92m happy", "I’m happy"),
        (b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nZo\xeb", "Zoë"),
        (b"Content-Type: text/plain; charset=us-ascii\r\n\r\nthat\xe2\x80\x99s", "that’s"),
        (b"Content-Type: text/plain; charset=utf-8\r\n\r\nI\x92m", "I’m"),
        (b"Content-Type: text/plain; charset=no-such\r\n\r\nYes", "Yes"),
        (b"Content-Type: text/plain; charset=idna\r\n\r\nYes", "Yes"),
        (b"Content-Type: text/plain; charset=hex\r\n\r\nYes", "Yes"),
        (
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
            b"quoted-printable\r\n\r\nthat=E2=80=99s fi=\r\nne",
            "that’s fine",
        ),
        (
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes("Tak, zgadzam się".encode()),
            "Tak, zgadzam się",
        ),
        (
            b"Content-Type: text/plain; format=flowed\r\n\r\nI agree to \r\nall of it",
            "I agree to all of it",
        ),
        (
            b"Content-Type: text/plain; format=flowed; delsp=yes\r\n\r\nrecor \r\nded",
            "recorded",
        ),
    ],
)
def test_body_decoding(part: bytes, text: str) -> None:
    assert parse_email(HEAD + part).plain_text == text


def test_multipart_keeps_first_plain_and_html_and_counts_attachments() -> None:
    raw = HEAD + (
        b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\n'
        b'Content-Type: multipart/alternative; boundary="a"\r\n\r\n--a\r\n'
        b"Content-Type: text/plain\r\n\r\nYes\r\n--a\r\nContent-Type: text/html\r\n\r\n"
        b"<p>Yes</p>\r\n--a--\r\n--m\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="form.pdf"\r\n\r\n%PDF\r\n--m\r\n'
        b"Content-Type: message/rfc822\r\n\r\nFrom: x@example.org\r\n\r\nI agree\r\n--m--\r\n"
    )
    email = parse_email(raw)
    assert email.plain_text == "Yes"
    assert email.html == "<p>Yes</p>"
    assert email.has_attachments


def test_html_only() -> None:
    email = parse_email(HEAD + b"Content-Type: text/html\r\n\r\n<p>Yes</p>")
    assert email.plain_text is None
    assert email.html == "<p>Yes</p>"


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\nYes", b"just some text"])
def test_no_headers_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedEmail):
        parse_email(raw)


@pytest.mark.parametrize(
    "headers",
    [
        b"Auto-Submitted: auto-replied\r\n",
        b"Auto-Submitted: auto-generated\r\n",
        b"X-Auto-Response-Suppress: All\r\n",
        b"X-Autoreply: yes\r\n",
        b"Precedence: bulk\r\n",
        b"Content-Type: multipart/report; report-type=delivery-status\r\n",
        b"Subject: Automatic reply: Your meeting\r\n",
        b"Subject: Out of Office: RE: Your meeting\r\n",
        b"Subject: RE: Abwesenheitsnotiz\r\n",
        b"Subject: =?utf-8?q?R=C3=A9ponse_automatique?=\r\n",
        b"Subject: Undeliverable: Your meeting\r\n",
    ],
)
def test_automatic_replies(headers: bytes) -> None:
    assert auto_reply_reason(parse_email(b"From: x@example.org\r\n" + headers + b"\r\nhi"))


@pytest.mark.parametrize(
    "headers",
    [
        b"Auto-Submitted: no\r\nSubject: RE: Your meeting\r\n",
        b"Subject: RE: reply about my automatic door\r\n",
        b"Precedence: first-class\r\n",
    ],
)
def test_replies_by_people(headers: bytes) -> None:
    assert auto_reply_reason(parse_email(b"From: x@example.org\r\n" + headers + b"\r\nhi")) is None


def test_mailer_daemon_is_automatic() -> None:
    email = parse_email(b"From: MAILER-DAEMON@mail.example.net\r\nSubject: failure\r\n\r\nx")
    assert auto_reply_reason(email) == "mail system sender"


def test_multipart_boundaries() -> None:
    raw = HEAD + (
        b'Content-Type: multipart/alternative; boundary="=_b"\r\n\r\npreamble --=_b not here\r\n'
        b"--=_b\r\nContent-Type: text/plain; charset=windows-1252\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nI\x92m fine\r\n\r\n--=_b  \r\n"
        b"Content-Type: text/html\r\n\r\n<p>fine</p>\r\n--=_b--\r\nepilogue\r\n"
    )
    email = parse_email(raw)
    assert email.plain_text == "I’m fine\r\n"
    assert email.html == "<p>fine</p>"
    assert not email.has_attachments


def test_multipart_without_closing_delimiter_keeps_the_last_part() -> None:
    raw = HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\nYes\r\n'
    assert parse_email(raw).plain_text == "Yes\r\n"


def test_multipart_without_boundary_has_no_body() -> None:
    email = parse_email(HEAD + b"Content-Type: multipart/mixed\r\n\r\nYes")
    assert email.plain_text is None
