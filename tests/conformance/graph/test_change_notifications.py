"""Microsoft's documented change notifications, validation request and lifecycle notifications
(`tests/conformance/graph/`) posted to the bot as `make run` serves it (`tests/served_bot.py`,
one bot per engine for the module), reading the consent mailbox it has subscribed to in the
sandbox tenant; and the sandbox's notifications and validation request checked against them.

- A parent's reply arrives and the sandbox's notification of it is lost: Microsoft's documented
  notification of a new message (or, in its place, the documented `missed` lifecycle
  notification) has the reply read and the parent's decision recorded within seconds (the
  timer's catch-up is minutes away, so only the notification explains it).
- The documented validation request is echoed as plain text at every notification URL the bot
  gives Graph (the consent mailbox's and the recording backstop's, each with its lifecycle
  URL).
- The documented `subscriptionRemoved`, after Graph lost the subscription, has the bot
  subscribe again at once; the documented `reauthorizationRequired` has it renewed at once.

Identifiers only are changed at run time: the subscription id and clientState become the bot's
subscription's, the tenant the sandbox's, and the mailbox owner and message ids in `resource`
and `resourceData` those of the reply the sandbox did not notify."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.mailbox import runtime
from bot.recording_backstop_runtime import LIFECYCLE_PATH, NOTIFICATION_PATH
from bot.services.consent_requests import send_consent_requests
from consent_store.tables import MailboxCursorRow
from sandbox.mail.mailboxes import Arrival, Mailbox, StoredMessage
from sandbox.notifier import (
    ChangeNotifier,
    LifecycleEvent,
    change_notification,
    lifecycle_notification,
)
from sandbox.seed import CONSENT_MAILBOX, COORDINATOR, PARENT_CARER, seeded_tenant
from sandbox.subscriptions import Subscription
from tests.builders import schedule
from tests.conformance.documented import documented, key_paths, shape_gaps
from tests.conftest import ENGINES
from tests.served_bot import ServedInstallation, installation_served
from tests.tenant_flows.conftest import People, parent_and_school_meeting
from tests.tenant_flows.test_serving import eventually

DOCUMENTED_SUBSCRIPTION = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07"
DOCUMENTED_TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"
DOCUMENTED_OWNER = "11111111-aaaa-4bbb-8ccc-0000000000c0"
DOCUMENTED_MESSAGE = "AAMkAGUwNjQ4ZjIxAAA="
NOTIFICATION_URLS = (
    runtime.NOTIFICATION_PATH,
    runtime.LIFECYCLE_PATH,
    NOTIFICATION_PATH,
    LIFECYCLE_PATH,
)


@dataclass(frozen=True)
class Graph:
    """The served bot, and the sandbox tenant beside it as Microsoft Graph."""

    served: ServedInstallation
    http: aiohttp.ClientSession

    @property
    def people(self) -> People:
        return People(self.served.sandbox_origin, self.http)

    async def control(self, method: str, path: str, body: object = None) -> Any:
        url = f"{self.served.sandbox_origin}/sandbox/api{path}"
        async with self.http.request(method, url, json=body) as answer:
            assert answer.status in (200, 204), await answer.text()
            return await answer.json() if answer.status == 200 else None

    async def cursor(self) -> MailboxCursorRow:
        """The consent mailbox's subscription as the bot keeps it."""
        async with self.served.store.reading() as uow:
            cursor = await uow.inbound.cursor(CONSENT_MAILBOX.mail)
        assert cursor is not None
        return cursor

    async def post(self, path: str, body: str) -> int:
        async with self.http.post(
            self.served.origin + path, data=body, headers={"Content-Type": "application/json"}
        ) as answer:
            return answer.status


@pytest.fixture(scope="module", params=ENGINES)
async def graph(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> AsyncIterator[Graph]:
    """The bot served for the module on each engine, once it has subscribed to the consent
    mailbox."""
    async with (
        installation_served(request, tmp_path_factory, sqlite_template) as served,
        aiohttp.ClientSession() as http,
    ):
        graph = Graph(served, http)

        async def subscribed() -> bool:
            async with served.store.reading() as uow:
                cursor = await uow.inbound.cursor(CONSENT_MAILBOX.mail)
            return cursor is not None and cursor.subscription_id is not None

        await eventually(subscribed)
        yield graph


async def parents_reply_unnotified(graph: Graph) -> tuple[str, str, dict[str, str]]:
    """A meeting's consent requests go out and the parent replies yes; the sandbox's
    notification of the reply is lost. The meeting's id, the parent's attendee id, and the
    documented ids of the resource made the reply's."""
    store = graph.served.store
    meeting_id, (parent, _) = await schedule(
        store, parent_and_school_meeting(datetime.now(UTC) + timedelta(days=2))
    )
    async with open_tenant(graph.served.tenant) as clients:
        service = Settings(_env_file=None).service
        await send_consent_requests(
            store, clients.mailbox, service, meeting_id, COORDINATOR.display_name, "test"
        )
    async with store.reading() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    await graph.control("POST", "/faults", {"notifications": {"fault": "drop", "count": 1}})

    await graph.people.reply(PARENT_CARER.address, reference, "Yes")

    subscription = (await graph.cursor()).subscription_id
    sent = (await graph.control("GET", "/notifications"))["value"]
    lost = [d for d in sent if d["subscriptionId"] == subscription][-1]
    assert lost["outcome"] == "dropped (fault)"
    _, owner, _, message = lost["resource"].split("/")
    return meeting_id, parent, {DOCUMENTED_OWNER: owner, DOCUMENTED_MESSAGE: message}


async def as_sent(name: str, graph: Graph, replaced: dict[str, str]) -> str:
    """The documented notification with the bot's subscription, the sandbox's tenant and
    these identifiers."""
    cursor = await graph.cursor()
    assert cursor.subscription_id is not None
    assert cursor.client_state is not None
    text = json.dumps(documented(name))
    for documented_id, ours in {
        **replaced,
        DOCUMENTED_SUBSCRIPTION: cursor.subscription_id,
        DOCUMENTED_TENANT: graph.served.sandbox.tenant_id,
    }.items():
        text = text.replace(documented_id, ours)
    body = json.loads(text)
    for notification in body["value"]:
        notification["clientState"] = cursor.client_state
    return json.dumps(body)


async def recorded(graph: Graph, meeting_id: str, parent: str) -> None:
    async def decided() -> bool:
        async with graph.served.store.reading() as uow:
            facts = await uow.meetings.facts(meeting_id)
        return any(d.attendee_id == parent for d in facts.decisions)

    await eventually(decided)


async def test_the_documented_mail_notification_has_the_reply_read_and_recorded(
    graph: Graph,
) -> None:
    meeting_id, parent, reply_ids = await parents_reply_unnotified(graph)
    body = await as_sent("graph/mail_created.json", graph, reply_ids)

    assert await graph.post(runtime.NOTIFICATION_PATH, body) == 202
    await recorded(graph, meeting_id, parent)


async def test_the_documented_validation_request_is_echoed_as_plain_text(graph: Graph) -> None:
    request = documented("graph/validation_request.json")
    for path in NOTIFICATION_URLS:
        async with graph.http.request(
            request["method"],
            graph.served.origin + path,
            params={"validationToken": request["validationToken"]},
            headers={"Content-Type": request["contentType"]},
        ) as answer:
            assert answer.status == 200
            assert answer.content_type == "text/plain"
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert await answer.text() == request["validationToken"]


async def test_a_documented_missed_notification_has_the_lost_reply_read_and_recorded(
    graph: Graph,
) -> None:
    meeting_id, parent, _ = await parents_reply_unnotified(graph)
    body = await as_sent("graph/lifecycle_missed.json", graph, {})

    assert await graph.post(runtime.LIFECYCLE_PATH, body) == 202
    await recorded(graph, meeting_id, parent)


async def test_a_documented_removal_or_reauthorization_checks_the_subscription_now(
    graph: Graph,
) -> None:
    await graph.control("DELETE", "/subscriptions?lifecycle=false")
    gone = await graph.cursor()
    removed = await as_sent("graph/lifecycle_subscriptionRemoved.json", graph, {})

    assert await graph.post(runtime.LIFECYCLE_PATH, removed) == 202

    async def subscribed_again() -> bool:
        return (await graph.cursor()).subscription_id != gone.subscription_id

    await eventually(subscribed_again)
    kept = await graph.cursor()
    reauthorize = await as_sent("graph/lifecycle_reauthorizationRequired.json", graph, {})

    assert await graph.post(runtime.LIFECYCLE_PATH, reauthorize) == 202

    async def renewed() -> bool:
        now = await graph.cursor()
        return now.subscription_expires_at != kept.subscription_expires_at

    await eventually(renewed)
    assert (await graph.cursor()).subscription_id == kept.subscription_id


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
