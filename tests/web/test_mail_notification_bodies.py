"""`POST /notifications/mail` on the bot as `make run` serves it: a body that is not a Graph
`changeNotificationCollection` is answered 400 (never 500, nothing from it logged), one whose
`clientState` is not the subscription's is answered 202 and ignored. One bot is served per
engine for the whole module. (The validation handshake, as Microsoft documents it, is echoed
in `tests/conformance/graph/test_change_notifications.py`.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.mailbox.runtime import NOTIFICATION_PATH
from tests.bad_bodies import JSON, MARKER, NOT_AN_OBJECT, NOT_JSON, assert_refused_quietly
from tests.conftest import ENGINES
from tests.served_bot import installation_served


def notification(**fields: Any) -> dict[str, Any]:
    """A change notification for a new message in the consent mailbox, as Graph sends it."""
    return {
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "subscriptionExpirationDateTime": "2026-11-03T18:23:45.9356913Z",
        "changeType": "created",
        "resource": "Users/consent/Messages/AAMkAGUwNjQ4ZjIxAAA=",
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Message",
            "@odata.id": "Users/consent/Messages/AAMkAGUwNjQ4ZjIxAAA=",
            "id": "AAMkAGUwNjQ4ZjIxAAA=",
        },
        "tenantId": "bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f",
        **fields,
    }


WRONG_FIELDS: dict[str, Any] = {
    "no value": {"validationTokens": []},
    "value not a list": {"value": 5},
    "value an object": {"value": notification(clientState="x")},
    "value a string": {"value": MARKER},
    "a notification that is not an object": {"value": [MARKER]},
    "clientState not ASCII": {"value": [notification(clientState=f"{MARKER}-é")]},
    "clientState not a string": {"value": [notification(clientState=["x"])]},
    "clientState a number": {"value": [notification(clientState=7)]},
    "clientState over 255 characters": {"value": [notification(clientState="x" * 256)]},
}


@pytest.fixture(scope="module", params=ENGINES)
async def bot_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> AsyncIterator[str]:
    """The served bot (sandbox mode, reading its consent mailbox): its notification URL."""
    async with installation_served(request, tmp_path_factory, sqlite_template) as served:
        yield served.origin + NOTIFICATION_PATH


async def post(url: str, body: bytes, content_type: str = JSON) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers={"Content-Type": content_type}) as response,
    ):
        return response.status, await response.text()


@pytest.mark.parametrize("case", NOT_JSON)
async def test_a_body_that_is_not_utf8_json_is_refused(
    bot_url: str, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = NOT_JSON[case]
    status, text = await post(bot_url, body, content_type)
    assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)


@pytest.mark.parametrize("case", [*NOT_AN_OBJECT, *WRONG_FIELDS])
async def test_a_body_that_is_not_change_notifications_is_refused(
    bot_url: str, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body = NOT_AN_OBJECT.get(case) or json.dumps(WRONG_FIELDS[case]).encode()
    status, text = await post(bot_url, body)
    assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)


async def test_a_notification_with_another_client_state_is_ignored(
    bot_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"value": [notification(clientState="not-the-subscriptions")]})
    status, _ = await post(bot_url, body.encode())
    assert status == 202
    assert "wrong clientState" in caplog.text
    assert not any(r.name == "bot.web.json_body" for r in caplog.records)


async def test_a_body_over_the_size_limit_is_too_large(bot_url: str) -> None:
    body = json.dumps({"value": [notification(padding="x" * (1024**2 + 1))]})
    status, _ = await post(bot_url, body.encode())
    assert status == 413
