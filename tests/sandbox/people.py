"""Test helpers that act as the people around the tenant, through the sandbox's control API,
and that send the bot's mail through Graph."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import aiohttp
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.internet_message_header import InternetMessageHeader
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import CONSENT_MAILBOX
from tests.sandbox.conftest import RunningSandbox


def unique_subject(topic: str) -> str:
    return f"{topic} [{uuid.uuid4().hex[:8]}]"


async def send_from_consent_mailbox(
    graph: GraphServiceClient,
    to: str,
    subject: str,
    html: str = "<p>May we record the meeting?</p>",
) -> None:
    body = SendMailPostRequestBody(
        message=Message(
            subject=subject,
            body=ItemBody(content_type=BodyType.Html, content=html),
            to_recipients=[Recipient(email_address=EmailAddress(address=to))],
            internet_message_headers=[InternetMessageHeader(name="X-IASS-Reference", value="R-1")],
        ),
        save_to_sent_items=True,
    )
    await graph.users.by_user_id(CONSENT_MAILBOX.user_principal_name).send_mail.post(body)


async def inbox(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, address: str
) -> list[dict[str, Any]]:
    async with http.get(sandbox.url(f"/sandbox/api/people/{quote(address)}/messages")) as response:
        assert response.status == 200
        listing: dict[str, Any] = await response.json()
    return list(listing["value"])


async def message_with_subject(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, address: str, subject: str
) -> dict[str, Any]:
    matching = [m for m in await inbox(http, sandbox, address) if m["subject"] == subject]
    assert len(matching) == 1, matching
    return matching[0]


async def reply_as(
    http: aiohttp.ClientSession,
    sandbox: RunningSandbox,
    address: str,
    message_id: str,
    text: str,
    **options: Any,
) -> dict[str, Any]:
    path = f"/sandbox/api/people/{quote(address)}/messages/{quote(message_id, safe='')}/reply"
    async with http.post(sandbox.url(path), json={"text": text, **options}) as response:
        assert response.status == 201, await response.text()
        sent: dict[str, Any] = await response.json()
    return sent
