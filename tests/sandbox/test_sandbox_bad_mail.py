"""One malformed email in the consent mailbox (an unknown charset, bytes its charset cannot
decode, a header the parser fails on, an unclosed multipart) never breaks the mailbox: it is
listed, read and found by delta like any other, with what cannot be decoded shown as U+FFFD,
its MIME stays the bytes that arrived, and the mail around it reads as before."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import aiohttp
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.users.item.mail_folders.item.messages.delta.delta_request_builder import (
    DeltaRequestBuilder,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import CONSENT_MAILBOX, YOUNG_PERSON
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.people import unique_subject

MAILBOX = CONSENT_MAILBOX.user_principal_name
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def unknown_charset(subject: str) -> bytes:
    return (
        f"From: Sam Okafor <{YOUNG_PERSON.address}>\r\nTo: {CONSENT_MAILBOX.mail}\r\n"
        f"Subject: {subject}\r\nMessage-ID: <charset-{subject[-9:-1]}@example.org>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n"
    ).encode() + b"Yes, I agree \xe9\r\n"


def undecodable_bytes(subject: str) -> bytes:
    return (
        b"From: Sam \xff <" + YOUNG_PERSON.address.encode() + b">\r\n"
        b"To: " + CONSENT_MAILBOX.mail.encode() + b"\r\nSubject: " + subject.encode() + b"\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Yes, I agree \xff\xfe\r\n"
    )


def broken_mime(subject: str) -> bytes:
    return (
        f"From: Sam Okafor <{YOUNG_PERSON.address}>\r\nTo: {CONSENT_MAILBOX.mail}\r\n"
        f"Subject: {subject}\r\nMessage-ID: <<<>>>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYes, I agree\r\n"
    ).encode()


async def send_mime(http: aiohttp.ClientSession, sandbox: RunningSandbox, mime: bytes) -> None:
    path = f"/sandbox/api/people/{quote(YOUNG_PERSON.address)}/mime"
    async with http.post(sandbox.url(path), params={"to": CONSENT_MAILBOX.mail}, data=mime) as sent:
        assert sent.status == 202


async def write_good_reply(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, subject: str
) -> None:
    path = f"/sandbox/api/people/{quote(YOUNG_PERSON.address)}/messages"
    body = {"to": CONSENT_MAILBOX.mail, "subject": subject, "text": "Yes, I agree."}
    async with http.post(sandbox.url(path), json=body) as sent:
        assert sent.status == 201


@pytest.mark.parametrize(
    ("compose", "body", "sender_name"),
    [
        (unknown_charset, f"Yes, I agree {REPLACEMENT}", "Sam Okafor"),
        (undecodable_bytes, f"Yes, I agree {REPLACEMENT}{REPLACEMENT}", f"Sam {REPLACEMENT}"),
        (broken_mime, "Yes, I agree", "Sam Okafor"),
    ],
)
async def test_one_bad_email_is_shown_and_the_rest_still_read(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    compose: Callable[[str], bytes],
    body: str,
    sender_name: str,
) -> None:
    bad_subject, good_subject = unique_subject("Bad"), unique_subject("Good")
    mime = compose(bad_subject)
    await send_mime(http, sandbox, mime)
    await write_good_reply(http, sandbox, good_subject)
    inbox = graph.users.by_user_id(MAILBOX).mail_folders.by_mail_folder_id("inbox").messages

    listing = await inbox.get(
        RequestConfiguration(
            query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
                top=1000, select=["subject", "body", "from"]
            )
        )
    )
    assert listing is not None
    by_subject = {m.subject: m for m in listing.value or []}
    assert good_subject in by_subject
    bad = by_subject[bad_subject]
    assert bad.body is not None
    assert (bad.body.content or "").strip() == body
    assert bad.from_ is not None
    assert bad.from_.email_address is not None
    assert bad.from_.email_address.name == sender_name
    assert bad.from_.email_address.address == YOUNG_PERSON.address

    good = (
        await graph.users.by_user_id(MAILBOX)
        .messages.by_message_id(by_subject[good_subject].id or "")
        .get()
    )
    assert good is not None
    assert good.body is not None
    assert (good.body.content or "").strip() == "Yes, I agree."

    raw = await graph.users.by_user_id(MAILBOX).messages.by_message_id(bad.id or "").content.get()
    assert raw is not None
    assert raw.endswith(mime)

    delta = await inbox.delta.get(
        RequestConfiguration(
            query_parameters=DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
                select=["subject"]
            )
        )
    )
    seen: list[str] = []
    while delta is not None:
        seen += [m.subject or "" for m in delta.value or []]
        if not delta.odata_next_link:
            break
        delta = await inbox.delta.with_url(delta.odata_next_link).get()
    assert {bad_subject, good_subject} <= set(seen)
