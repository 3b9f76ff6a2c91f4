"""Consent mail round trip: the bot's sendMail, a parent's reply from outside the tenant,
and the consent mailbox read through Graph (list, get with headers, MIME, delta)."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy

import aiohttp
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.mail_folders.item.messages.delta.delta_request_builder import (
    DeltaRequestBuilder,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.generated.users.item.messages.item.message_item_request_builder import (
    MessageItemRequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import ADVISER, CONSENT_MAILBOX, PARENT_CARER, SENCO
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.people import (
    message_with_subject,
    reply_as,
    send_from_consent_mailbox,
    unique_subject,
)

MAILBOX = CONSENT_MAILBOX.user_principal_name


async def consent_inbox_subjects(graph: GraphServiceClient) -> dict[str, str]:
    """Subject to message id, newest first, through Graph."""
    config = RequestConfiguration(
        query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
            top=100, select=["subject", "from"]
        )
    )
    page = (
        await graph.users.by_user_id(MAILBOX)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(request_configuration=config)
    )
    assert page is not None
    assert page.value is not None
    return {m.subject or "": m.id or "" for m in page.value}


async def test_a_reply_from_a_parent_reaches_the_consent_mailbox(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    subject = unique_subject("Consent to record")
    await send_from_consent_mailbox(graph, PARENT_CARER.address, subject)
    request = await message_with_subject(http, sandbox, PARENT_CARER.address, subject)
    assert request["text"].strip() == "May we record the meeting?"

    await reply_as(http, sandbox, PARENT_CARER.address, request["id"], "Yes, I agree.")

    inbox = await consent_inbox_subjects(graph)
    assert f"RE: {subject}" in inbox
    reply = (
        await graph.users.by_user_id(MAILBOX).messages.by_message_id(inbox[f"RE: {subject}"]).get()
    )
    assert reply is not None
    assert reply.from_ is not None
    assert reply.from_.email_address is not None
    assert reply.from_.email_address.address == PARENT_CARER.address
    assert reply.internet_message_headers is None
    assert reply.body is not None
    assert reply.body.content is not None
    assert reply.body.content.startswith("Yes, I agree.")

    mime = (
        await graph.users.by_user_id(MAILBOX)
        .messages.by_message_id(inbox[f"RE: {subject}"])
        .content.get()
    )
    assert mime is not None
    parsed = message_from_bytes(mime, policy=default_policy)
    assert parsed["In-Reply-To"] == request["internetMessageId"]
    assert parsed["References"] == request["internetMessageId"]
    assert parsed["Subject"] == f"RE: {subject}"
    assert "> May we record the meeting?" in parsed.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (
            "pass",
            "spf=pass (sender IP is 203.0.113.25) smtp.mailfrom=example.org; dkim=pass "
            "(signature was verified) header.d=example.org;dmarc=pass action=none "
            "header.from=example.org;compauth=pass reason=100",
        ),
        ("fail", "spf=fail (sender IP is 198.51.100.66) smtp.mailfrom=example.org; dkim=fail"),
    ],
)
async def test_authentication_results_come_only_with_select(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    verdict: str,
    expected: str,
) -> None:
    subject = unique_subject("Documents for the meeting")
    await send_from_consent_mailbox(graph, SENCO.address, subject)
    request = await message_with_subject(http, sandbox, SENCO.address, subject)
    await reply_as(http, sandbox, SENCO.address, request["id"], "Agreed.", authentication=verdict)
    reply_id = (await consent_inbox_subjects(graph))[f"RE: {subject}"]

    config = RequestConfiguration(
        query_parameters=MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(
            select=["internetMessageHeaders"]
        )
    )
    selected = (
        await graph.users.by_user_id(MAILBOX)
        .messages.by_message_id(reply_id)
        .get(request_configuration=config)
    )
    assert selected is not None
    assert selected.internet_message_headers is not None
    results = [
        h.value for h in selected.internet_message_headers if h.name == "Authentication-Results"
    ]
    assert results
    assert (results[0] or "").startswith(expected)
    assert selected.subject is None


async def test_delta_returns_only_what_is_new_since_its_token(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    delta = graph.users.by_user_id(MAILBOX).mail_folders.by_mail_folder_id("inbox").messages.delta
    subjects = [unique_subject("Delta") for _ in range(3)]
    for subject in subjects:
        await send_from_consent_mailbox(graph, PARENT_CARER.address, subject)
        request = await message_with_subject(http, sandbox, PARENT_CARER.address, subject)
        await reply_as(http, sandbox, PARENT_CARER.address, request["id"], "Yes.")

    config = RequestConfiguration(
        query_parameters=DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
            select=["subject", "internetMessageId"]
        )
    )
    config.headers.add("Prefer", "odata.maxpagesize=2")
    seen: list[str] = []
    page = await delta.get(request_configuration=config)
    pages = 1
    while page is not None and page.odata_next_link:
        seen += [m.subject or "" for m in page.value or []]
        page = await delta.with_url(page.odata_next_link).get()
        pages += 1
    assert page is not None
    assert page.odata_delta_link is not None
    seen += [m.subject or "" for m in page.value or []]
    assert pages > 1
    assert {f"RE: {s}" for s in subjects} <= set(seen)

    nothing_new = await delta.with_url(page.odata_delta_link).get()
    assert nothing_new is not None
    assert nothing_new.value == []
    assert nothing_new.odata_delta_link is not None

    later = unique_subject("Delta later")
    await send_from_consent_mailbox(graph, PARENT_CARER.address, later)
    request = await message_with_subject(http, sandbox, PARENT_CARER.address, later)
    await reply_as(http, sandbox, PARENT_CARER.address, request["id"], "Yes.")
    fresh = await delta.with_url(nothing_new.odata_delta_link).get()
    assert fresh is not None
    assert [m.subject for m in fresh.value or []] == [f"RE: {later}"]


async def test_a_listing_pages_with_next_links(graph: GraphServiceClient) -> None:
    messages = graph.users.by_user_id(MAILBOX).mail_folders.by_mail_folder_id("inbox").messages
    config = RequestConfiguration(
        query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
            top=1, select=["subject"]
        )
    )
    first = await messages.get(request_configuration=config)
    assert first is not None
    assert first.odata_next_link is not None
    assert (
        "%24select=subject" in first.odata_next_link or "$select=subject" in first.odata_next_link
    )
    second = await messages.with_url(first.odata_next_link).get()
    assert second is not None
    assert second.value is not None
    assert len(second.value) == 1
    assert first.value is not None
    assert second.value[0].id != first.value[0].id
    assert second.value[0].body is None


async def test_the_app_cannot_read_or_send_outside_its_mailbox_scope(
    graph: GraphServiceClient,
) -> None:
    with pytest.raises(ODataError) as reading:
        await (
            graph.users.by_user_id(ADVISER.object_id)
            .mail_folders.by_mail_folder_id("inbox")
            .messages.get()
        )
    assert reading.value.response_status_code == 403
    assert reading.value.error is not None
    assert reading.value.error.code == "ErrorAccessDenied"
