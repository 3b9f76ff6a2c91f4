"""The bot as `make run` serves it, with the sandbox tenant beside it: the consent mailbox is
subscribed on its own, and a reply is read as soon as Graph's notification arrives (the
timer's catch-up is minutes away, so only the notification can explain it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.cli.main import main
from bot.config import Settings
from bot.graph.client import open_graph_client
from bot.graph.mailbox import ConsentMailbox
from bot.services.consent_requests import send_consent_requests
from bot.serving import sandbox_origin, sandbox_tenant
from consent_store.unit_of_work import Store
from sandbox.seed import CONSENT_MAILBOX, PARENT_CARER
from tests.builders import a_meeting, schedule
from tests.served_bot import bot_with_sandbox, free_port_pair
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_consent_by_email import ADVISER, PARENT, SCHOOL


@pytest.fixture
async def bot_store(
    database_url: str, env_without_iass: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Store]:
    """The served bot (sandbox mode) and a store opened with the same keys."""
    monkeypatch.setenv("IASS_DATABASE_URL", database_url)
    monkeypatch.setenv("PORT", str(free_port_pair()))
    assert main(["keys", "init"]) == 0
    settings = Settings()
    async with bot_with_sandbox(settings):
        store = Store.open(database_url, settings.key_ring())
        yield store
        await store.close()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("did not happen in time")


async def test_a_reply_is_read_when_graph_notifies(bot_store: Store) -> None:
    async def subscribed() -> bool:
        async with bot_store.unit_of_work() as uow:
            cursor = await uow.inbound.cursor(CONSENT_MAILBOX.mail)
        return cursor is not None and cursor.subscription_id is not None

    await eventually(subscribed)

    tenant = sandbox_tenant(Settings().port)
    meeting_id, (parent, _, _) = await schedule(
        bot_store,
        a_meeting(
            starts_at=datetime.now(UTC) + timedelta(days=2), attendees=(PARENT, SCHOOL, ADVISER)
        ),
    )
    async with open_graph_client(tenant.graph_config()) as graph:
        mailbox = ConsentMailbox(graph, CONSENT_MAILBOX.mail)
        await send_consent_requests(
            bot_store, mailbox, Settings().service, meeting_id, "Priya", "test"
        )
    async with bot_store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference

    async with aiohttp.ClientSession() as http:
        await People(sandbox_origin(Settings().port), http).reply(
            PARENT_CARER.address, reference, "Yes"
        )

    async def recorded() -> bool:
        async with bot_store.unit_of_work() as uow:
            facts = await uow.meetings.facts(meeting_id)
        return any(d.attendee_id == parent for d in facts.decisions)

    await eventually(recorded)


async def test_a_newcomer_finds_the_pages_from_the_bots_address(bot_store: Store) -> None:
    port = Settings().port
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://localhost:{port}/", allow_redirects=False) as home:
            assert (home.status, home.headers["Location"]) == (302, "/tab")
        async with http.get(f"http://localhost:{port}/sandbox") as sandbox_page:
            assert sandbox_page.status == 200
            assert str(sandbox_page.url).startswith(f"http://localhost:{port + 1}/sandbox/")


async def stored_subscription(store: Store) -> str | None:
    async with store.unit_of_work() as uow:
        cursor = await uow.inbound.cursor(CONSENT_MAILBOX.mail)
    return cursor.subscription_id if cursor is not None else None


async def _subscribed(store: Store) -> bool:
    return await stored_subscription(store) is not None


async def asked_parent(store: Store) -> tuple[str, str, str]:
    """A meeting whose consent requests went out: (meeting id, parent's attendee id,
    reference)."""
    meeting_id, (parent, _, _) = await schedule(
        store,
        a_meeting(
            starts_at=datetime.now(UTC) + timedelta(days=2), attendees=(PARENT, SCHOOL, ADVISER)
        ),
    )
    async with open_graph_client(sandbox_tenant(Settings().port).graph_config()) as graph:
        mailbox = ConsentMailbox(graph, CONSENT_MAILBOX.mail)
        await send_consent_requests(store, mailbox, Settings().service, meeting_id, "Priya", "t")
    async with store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    return meeting_id, parent, reference


async def reply_is_read_by_notification(store: Store) -> None:
    """The parent replies and the reply is recorded within seconds: the timer's catch-up is
    minutes away, so only a change notification explains it."""
    meeting_id, parent, reference = await asked_parent(store)
    async with aiohttp.ClientSession() as http:
        origin = sandbox_origin(Settings().port)
        await People(origin, http).reply(PARENT_CARER.address, reference, "Yes")

    async def recorded() -> bool:
        async with store.unit_of_work() as uow:
            facts = await uow.meetings.facts(meeting_id)
        return any(d.attendee_id == parent for d in facts.decisions)

    await eventually(recorded)


async def sandbox_control(
    method: str,
    path: str,
    *,
    json: dict[str, object] | None = None,
    params: dict[str, str] | None = None,
) -> None:
    url = f"{sandbox_origin(Settings().port)}/sandbox/api{path}"
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, json=json, params=params) as response,
    ):
        assert response.status in (200, 204), await response.text()


@pytest.fixture
def hourly_check_every_half_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.mailbox.runtime.SUBSCRIPTION_CHECK_INTERVAL", 0.5)


async def test_after_the_sandbox_forgets_its_subscriptions_the_next_check_subscribes_again(
    hourly_check_every_half_second: None, bot_store: Store
) -> None:
    await eventually(lambda: _subscribed(bot_store))
    forgotten = await stored_subscription(bot_store)

    await sandbox_control("DELETE", "/subscriptions", params={"lifecycle": "false"})

    async def subscribed_again() -> bool:
        return await stored_subscription(bot_store) not in (None, forgotten)

    await eventually(subscribed_again)
    await reply_is_read_by_notification(bot_store)


async def test_a_subscription_graph_removes_is_made_again_at_once(bot_store: Store) -> None:
    await eventually(lambda: _subscribed(bot_store))
    removed = await stored_subscription(bot_store)

    await sandbox_control("DELETE", "/subscriptions")

    async def subscribed_again() -> bool:
        return await stored_subscription(bot_store) not in (None, removed)

    await eventually(subscribed_again)
    await reply_is_read_by_notification(bot_store)


async def test_a_missed_notification_is_caught_up_by_delta(bot_store: Store) -> None:
    await eventually(lambda: _subscribed(bot_store))
    meeting_id, parent, reference = await asked_parent(bot_store)
    await sandbox_control("POST", "/faults", json={"notifications": {"fault": "drop", "count": 1}})
    async with aiohttp.ClientSession() as http:
        origin = sandbox_origin(Settings().port)
        await People(origin, http).reply(PARENT_CARER.address, reference, "Yes")

    async def recorded() -> bool:
        async with bot_store.unit_of_work() as uow:
            facts = await uow.meetings.facts(meeting_id)
        return any(d.attendee_id == parent for d in facts.decisions)

    await asyncio.sleep(1)
    assert not await recorded()
    await sandbox_control("POST", "/subscriptions/lifecycle", json={"event": "missed"})
    await eventually(recorded)
