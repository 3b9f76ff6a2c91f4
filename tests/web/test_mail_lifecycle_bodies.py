"""`POST /notifications/mail/lifecycle` on the bot as `make run` serves it: a body that is not
a collection of lifecycle notifications is answered 400 (never 500, nothing from it logged);
one whose `clientState` is not the subscription's is answered 202 and changes nothing. (The
validation handshake and the lifecycle notifications as Microsoft documents them are in
`tests/conformance/graph/test_change_notifications.py`.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli.main import main
from bot.config import Settings
from bot.mailbox.runtime import LIFECYCLE_PATH
from consent_store.unit_of_work import Store
from sandbox.seed import CONSENT_MAILBOX
from tests.bad_bodies import JSON, MARKER, NOT_AN_OBJECT, NOT_JSON, assert_refused_quietly
from tests.served_bot import bot_with_sandbox, free_port_pair
from tests.tenant_flows.test_serving import eventually, stored_subscription


def lifecycle(**fields: Any) -> dict[str, Any]:
    """A lifecycle notification as Graph documents it."""
    return {
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "subscriptionExpirationDateTime": "2026-11-03T18:23:45.9356913Z",
        "tenantId": "bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f",
        "clientState": "x",
        "lifecycleEvent": "subscriptionRemoved",
        **fields,
    }


WRONG_FIELDS: dict[str, Any] = {
    "no value": {"values": []},
    "value not a list": {"value": lifecycle()},
    "a notification that is not an object": {"value": [MARKER]},
    "no lifecycleEvent": {"value": [{**lifecycle(), "lifecycleEvent": None}]},
    "lifecycleEvent a number": {"value": [lifecycle(lifecycleEvent=7)]},
    "clientState not ASCII": {"value": [lifecycle(clientState=f"{MARKER}-é")]},
    "clientState over 255 characters": {"value": [lifecycle(clientState="x" * 256)]},
}


@pytest.fixture
async def served(
    database_url: str, env_without_iass: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, Store]]:
    """The served bot (sandbox mode): its lifecycle URL, and its store."""
    monkeypatch.setenv("IASS_DATABASE_URL", database_url)
    monkeypatch.setenv("PORT", str(free_port_pair()))
    assert main(["keys", "init"]) == 0
    settings = Settings()
    async with bot_with_sandbox(settings):
        store = Store.open(database_url, settings.key_ring())
        yield f"http://localhost:{settings.port}{LIFECYCLE_PATH}", store
        await store.close()


async def post(url: str, body: bytes, content_type: str = JSON) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers={"Content-Type": content_type}) as response,
    ):
        return response.status, await response.text()


async def test_malformed_lifecycle_bodies_are_refused_and_a_stranger_changes_nothing(
    served: tuple[str, Store], caplog: pytest.LogCaptureFixture
) -> None:
    url, store = served

    async def subscribed() -> bool:
        return await stored_subscription(store) is not None

    await eventually(subscribed)
    subscription = await stored_subscription(store)

    malformed = [*NOT_JSON.values()]
    malformed += [(body, JSON) for body in NOT_AN_OBJECT.values()]
    malformed += [(json.dumps(body).encode(), JSON) for body in WRONG_FIELDS.values()]
    for body, content_type in malformed:
        status, text = await post(url, body, content_type)
        assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)

    stranger = json.dumps({"value": [lifecycle(clientState="not-ours")]}).encode()
    assert (await post(url, stranger))[0] == 202
    async with store.unit_of_work() as uow:
        cursor = await uow.inbound.cursor(CONSENT_MAILBOX.mail)
    assert cursor is not None
    assert cursor.subscription_id == subscription
