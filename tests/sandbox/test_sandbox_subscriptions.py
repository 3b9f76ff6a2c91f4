"""Change-notification subscriptions on the consent mailbox: the validation handshake with a
local receiver, notifications for new mail, and the notification fault knobs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.subscription import Subscription
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import BOT_CLIENT_ID, CONSENT_MAILBOX, YOUNG_PERSON
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.people import unique_subject

CLIENT_STATE = "a-secret-the-bot-checks"


class Receiver:
    """The bot's notification endpoint, as a test double."""

    def __init__(self) -> None:
        self.echo_validation = True
        self.notifications: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        token = request.query.get("validationToken")
        if token is not None:
            answer = token if self.echo_validation else "not the token"
            return web.Response(text=answer, content_type="text/plain")
        body = await request.json()
        for notification in body["value"]:
            await self.notifications.put(notification)
        return web.Response(status=202)

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.notifications.get(), timeout=5)


@pytest.fixture
async def receiver(sandbox: RunningSandbox) -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/notifications", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/notifications"
    yield receiver
    await sandbox.notifier.idle()
    tenant = sandbox.tenant
    for subscription in tenant.subscriptions.live_for_app(BOT_CLIENT_ID, tenant.now()):
        tenant.subscriptions.remove(subscription.id)
    await runner.cleanup()


def consent_inbox_subscription(
    url: str, expires_in: timedelta = timedelta(hours=1)
) -> Subscription:
    return Subscription(
        change_type="created",
        notification_url=url,
        resource=f"users/{CONSENT_MAILBOX.user_principal_name}/mailFolders('inbox')/messages",
        expiration_date_time=datetime.now(UTC) + expires_in,
        client_state=CLIENT_STATE,
    )


async def write_to_consent_mailbox(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, subject: str
) -> None:
    path = f"/sandbox/api/people/{quote(YOUNG_PERSON.address)}/messages"
    body = {"to": CONSENT_MAILBOX.mail, "subject": subject, "text": "I am happy to be recorded."}
    async with http.post(sandbox.url(path), json=body) as response:
        assert response.status == 201


async def subject_of(graph: GraphServiceClient, notification: dict[str, Any]) -> str:
    message_id = notification["resourceData"]["id"]
    message = (
        await graph.users.by_user_id(CONSENT_MAILBOX.object_id)
        .messages.by_message_id(message_id)
        .get()
    )
    assert message is not None
    return message.subject or ""


async def test_a_subscription_is_validated_and_notified_of_new_mail(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    receiver: Receiver,
) -> None:
    created = await graph.subscriptions.post(consent_inbox_subscription(receiver.url))
    assert created is not None
    assert created.id is not None
    assert created.client_state == CLIENT_STATE

    subject = unique_subject("Recording consent")
    await write_to_consent_mailbox(http, sandbox, subject)
    notification = await receiver.next()

    assert notification["subscriptionId"] == created.id
    assert notification["clientState"] == CLIENT_STATE
    assert notification["changeType"] == "created"
    assert notification["tenantId"] == sandbox.tenant.tenant_id
    assert notification["resource"].startswith(f"Users/{CONSENT_MAILBOX.object_id}/Messages/")
    assert notification["resourceData"]["@odata.type"] == "#Microsoft.Graph.Message"
    assert await subject_of(graph, notification) == subject

    await graph.subscriptions.by_subscription_id(created.id).delete()
    listed = await graph.subscriptions.get()
    assert listed is not None
    assert listed.value == []


async def test_a_subscription_is_refused_without_the_handshake_or_beyond_its_lifetime(
    graph: GraphServiceClient, receiver: Receiver
) -> None:
    with pytest.raises(ODataError) as too_long:
        await graph.subscriptions.post(consent_inbox_subscription(receiver.url, timedelta(days=8)))
    assert too_long.value.response_status_code == 400

    receiver.echo_validation = False
    with pytest.raises(ODataError) as no_echo:
        await graph.subscriptions.post(consent_inbox_subscription(receiver.url))
    assert no_echo.value.response_status_code == 400
    assert no_echo.value.error is not None
    assert "validation request failed" in (no_echo.value.error.message or "")


async def test_notifications_can_be_dropped_duplicated_and_reordered(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    receiver: Receiver,
) -> None:
    await graph.subscriptions.post(consent_inbox_subscription(receiver.url))
    faults = sandbox.tenant.faults
    dropped, duplicated, held, overtaking = (unique_subject("Fault") for _ in range(4))

    faults.disturb_notifications("drop")
    await write_to_consent_mailbox(http, sandbox, dropped)
    faults.disturb_notifications("duplicate")
    await write_to_consent_mailbox(http, sandbox, duplicated)
    faults.disturb_notifications("reorder")
    await write_to_consent_mailbox(http, sandbox, held)
    await write_to_consent_mailbox(http, sandbox, overtaking)

    received = [await subject_of(graph, await receiver.next()) for _ in range(4)]
    assert received == [duplicated, duplicated, overtaking, held]
    await sandbox.notifier.idle()
    assert receiver.notifications.empty()
