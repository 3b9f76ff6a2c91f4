"""`/api/messages` answers a body that is not an activity 400 (never the SDK's 500, and nothing
from the body in the log: the SDK would log its values with a traceback), after the channel
token is checked: without a valid token the answer is 401 whatever the body."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from sandbox.botframework.tokens import channel_token
from tests.agent.conftest import ServedBot
from tests.agent.test_channel_tokens import meeting_start
from tests.bad_bodies import JSON, MARKER, NOT_AN_OBJECT, NOT_JSON, assert_refused_quietly
from tests.sandbox.conftest import RunningSandbox


def wrong_fields(service_url: str, tenant_id: str) -> dict[str, dict[str, Any]]:
    """Meeting-start activities with one field of a type the Activity schema does not allow."""
    valid = meeting_start(service_url, tenant_id)
    return {
        "type not a string": {**valid, "type": 7},
        "conversation not an object": {**valid, "conversation": MARKER},
        "from not an object": {**valid, "from": [MARKER]},
        "serviceUrl not a string": {**valid, "serviceUrl": {"url": service_url}},
        "timestamp not a time": {**valid, "timestamp": MARKER},
        "entities not a list": {**valid, "entities": MARKER},
        "an entity that is not an object": {**valid, "entities": [MARKER]},
        "attachments not a list": {**valid, "attachments": {"name": MARKER}},
    }


WRONG_FIELD_CASES = list(wrong_fields("https://x.example/", "t"))


async def post(
    bot: ServedBot, token: str | None, body: bytes, content_type: str = JSON
) -> tuple[int, str]:
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as http,
        http.post(bot.messages_url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


@pytest.mark.parametrize("case", NOT_JSON)
async def test_a_body_that_is_not_utf8_json_is_refused(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    body, content_type = NOT_JSON[case]
    status, text = await post(served_bot, channel_token(sandbox.tenant), body, content_type)
    assert (status, "Traceback" in text) == (400, False)
    assert served_bot.events.calls == []
    assert_refused_quietly(caplog)


@pytest.mark.parametrize("case", [*NOT_AN_OBJECT, *WRONG_FIELD_CASES])
async def test_a_body_that_is_not_an_activity_is_refused(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    activities = wrong_fields(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)
    body = NOT_AN_OBJECT.get(case) or json.dumps(activities[case]).encode()
    status, text = await post(served_bot, channel_token(sandbox.tenant), body)
    assert (status, "Traceback" in text) == (400, False)
    assert served_bot.events.calls == []
    assert_refused_quietly(caplog)


@pytest.mark.parametrize("case", ["nested 100,000 deep", "invalid UTF-8"])
async def test_without_a_token_a_malformed_body_is_refused_before_it_is_read(
    served_bot: ServedBot, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = NOT_JSON[case]
    status, _ = await post(served_bot, None, body, content_type)
    assert status == 401
    assert not any(r.name == "bot.web.json_body" for r in caplog.records)


async def test_a_body_over_the_size_limit_is_too_large(
    served_bot: ServedBot, sandbox: RunningSandbox
) -> None:
    activity = meeting_start(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)
    activity["text"] = "x" * (1024**2 + 1)
    status, _ = await post(served_bot, channel_token(sandbox.tenant), json.dumps(activity).encode())
    assert status == 413
    assert served_bot.events.calls == []


async def test_a_well_formed_activity_is_still_taken(
    served_bot: ServedBot, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    activity = meeting_start(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)
    status, _ = await post(served_bot, channel_token(sandbox.tenant), json.dumps(activity).encode())
    assert status == 202
    assert served_bot.events.calls == [("started", activity["conversation"]["id"])]
    assert not any(r.name == "bot.web.json_body" for r in caplog.records)
