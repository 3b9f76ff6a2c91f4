"""Microsoft's documented change notifications, validation request and lifecycle notifications
(`tests/conformance/graph/`) sent to the bot's own handlers for `/notifications/mail` and
`/notifications/mail/lifecycle`, and the sandbox's notifications and validation request
checked against them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.mailbox.lifecycle import lifecycle_handler
from bot.mailbox.notifications import ReadingLoop, notification_handler
from bot.mailbox.reader import MailboxReader
from bot.mailbox.subscription import SubscriptionKeeper
from sandbox.mail.mailboxes import Arrival, Mailbox, StoredMessage
from sandbox.notifier import (
    ChangeNotifier,
    LifecycleEvent,
    change_notification,
    lifecycle_notification,
)
from sandbox.seed import seeded_tenant
from sandbox.subscriptions import Subscription
from tests.conformance.documented import documented, key_paths, shape_gaps


class Reader:
    """Counts the reads the loop asks for."""

    def __init__(self) -> None:
        self.reads = 0

    async def catch_up(self) -> None:
        self.reads += 1


class Keeper:
    """Counts the subscription checks asked for."""

    def __init__(self) -> None:
        self.checks = 0

    def check_soon(self) -> None:
        self.checks += 1


@dataclass
class Endpoints:
    client: TestClient[web.Request, web.Application]
    reader: Reader
    keeper: Keeper

    async def reads_after(self, path: str, body: object) -> int:
        """The reads done once `body` is answered (202) and the loop has had its turn."""
        before = self.reader.reads
        response = await self.client.post(path, json=body)
        assert response.status == 202
        await asyncio.sleep(0.05)
        return self.reader.reads - before


async def subscription_state(state: str) -> str:
    return state


@pytest.fixture
async def endpoints() -> AsyncIterator[Endpoints]:
    """The bot's two mail notification handlers, the subscription's clientState being the
    documented examples' placeholder values."""
    reader, keeper = Reader(), Keeper()
    loop = ReadingLoop(cast(MailboxReader, reader), interval=3600)
    reading = asyncio.create_task(loop.run())
    app = web.Application()
    app.router.add_post(
        "/mail", notification_handler(loop, lambda: subscription_state("secretClientValue"))
    )
    app.router.add_post(
        "/lifecycle",
        lifecycle_handler(
            loop,
            cast(SubscriptionKeeper, keeper),
            lambda: subscription_state("secretClientState"),
        ),
    )
    async with TestClient(TestServer(app)) as client:
        await asyncio.sleep(0.05)
        yield Endpoints(client, reader, keeper)
    reading.cancel()


async def test_the_documented_mail_notification_wakes_the_reader(endpoints: Endpoints) -> None:
    assert await endpoints.reads_after("/mail", documented("graph/mail_created.json")) == 1


async def test_the_documented_validation_request_is_echoed_as_plain_text(
    endpoints: Endpoints,
) -> None:
    request = documented("graph/validation_request.json")
    for path in ("/mail", "/lifecycle"):
        response = await endpoints.client.post(
            path,
            params={"validationToken": request["validationToken"]},
            headers={"Content-Type": request["contentType"]},
        )
        assert response.status == 200
        assert response.content_type == "text/plain"
        assert await response.text() == request["validationToken"]


async def test_a_documented_missed_notification_makes_the_reader_catch_up(
    endpoints: Endpoints,
) -> None:
    body = documented("graph/lifecycle_missed.json")
    assert await endpoints.reads_after("/lifecycle", body) == 1
    assert endpoints.keeper.checks == 0


@pytest.mark.parametrize("event", ["subscriptionRemoved", "reauthorizationRequired"])
async def test_a_documented_removal_or_reauthorization_checks_the_subscription_now(
    endpoints: Endpoints, event: str
) -> None:
    body = documented(f"graph/lifecycle_{event}.json")
    assert await endpoints.reads_after("/lifecycle", body) == 0
    assert endpoints.keeper.checks == 1


def sandbox_subscription() -> Subscription:
    return Subscription(
        id="7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        application_id="app",
        creator_id="app",
        resource="users/consent/messages",
        change_types=frozenset({"created"}),
        notification_url="https://bot.example/notifications/mail",
        lifecycle_notification_url="https://bot.example/notifications/mail/lifecycle",
        client_state="secretClientValue",
        expiration=datetime(2026, 12, 8, tzinfo=UTC),
        latest_supported_tls_version="v1_2",
        mailbox_owner_id="11111111-aaaa-4bbb-8ccc-0000000000c0",
        folder=None,
    )


def test_the_sandbox_mail_notification_has_every_documented_key() -> None:
    mailbox = cast(Mailbox, SimpleNamespace(owner=SimpleNamespace(object_id="consent")))
    message = cast(StoredMessage, SimpleNamespace(id="AAMkAGUwNjQ4ZjIxAAA=", change_key="CQ"))
    sent = change_notification(seeded_tenant(), sandbox_subscription(), Arrival(mailbox, message))
    assert shape_gaps(documented("graph/mail_created.json"), sent) == set()


@pytest.mark.parametrize("event", ["subscriptionRemoved", "missed", "reauthorizationRequired"])
def test_the_sandbox_lifecycle_notification_has_the_documented_keys(event: str) -> None:
    sent = lifecycle_notification(
        seeded_tenant(), sandbox_subscription(), cast(LifecycleEvent, event)
    )
    example = documented(f"graph/lifecycle_{event}.json")
    assert key_paths(sent) == key_paths(example)
    assert shape_gaps(example, sent) == set()


async def test_the_sandboxs_validation_request_is_the_documented_one() -> None:
    """The sandbox's subscription handshake, sent to an endpoint that echoes it as the bot's
    do: a POST with the documented Content-Type, the token in the query and nothing else."""
    request = documented("graph/validation_request.json")
    received: list[tuple[str, str, dict[str, str], bytes]] = []

    async def echo(asked: web.Request) -> web.Response:
        received.append(
            (asked.method, asked.headers["Content-Type"], dict(asked.query), await asked.read())
        )
        return web.Response(text=asked.query["validationToken"], content_type="text/plain")

    app = web.Application()
    app.router.add_post("/mail", echo)
    notifier = ChangeNotifier(seeded_tenant())
    async with TestServer(app) as server:
        await notifier.start()
        try:
            await notifier.validate(str(server.make_url("/mail")))
        finally:
            await notifier.stop()

    ((method, content_type, query, body),) = received
    assert (method, content_type, body) == (request["method"], request["contentType"], b"")
    assert list(query) == ["validationToken"]
    documented_prefix = request["validationToken"].partition("Request-Id:")[0]
    assert query["validationToken"].startswith(documented_prefix + "Request-Id: ")
