"""`/api/messages` takes an activity only with a Bot Framework channel token the SDK's
validator accepts (signature from the channel's key set, audience the bot, issuer checked,
in date) and whose `serviceurl` claim is the activity's own `serviceUrl`; the staff pages on
the same server need no such token."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS

from sandbox.botframework.tokens import channel_token
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR
from sandbox.signing import SigningKey
from tests.agent.conftest import BOT_FRAMEWORK_ISSUER, ServedBot
from tests.sandbox.conftest import RunningSandbox

THREAD_ID = "19:meeting_tokens@thread.v2"
MEETING_START = "application/vnd.microsoft.meetingStart"


def meeting_start(service_url: str, tenant_id: str) -> dict[str, Any]:
    return {
        "type": "event",
        "name": MEETING_START,
        "id": "1",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:1organiser", "aadObjectId": COORDINATOR.object_id},
        "recipient": {"id": f"28:{BOT_CLIENT_ID}"},
        "conversation": {"id": THREAD_ID, "tenantId": tenant_id, "isGroup": True},
        "channelData": {"tenant": {"id": tenant_id}, "meeting": {"id": "MCMxOSMw"}},
        "value": {
            "Id": "MCMxOSMw",
            "JoinUrl": "https://teams.example/join",
            "Title": "Tokens",
            "MeetingType": "Scheduled",
            "StartTime": "2026-11-03T09:00:00Z",
        },
    }


def claims(sandbox: RunningSandbox, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "serviceurl": sandbox.tenant.connector_url,
        "nbf": now,
        "exp": now + 3600,
        "iss": BOT_FRAMEWORK_ISSUER,
        "aud": BOT_CLIENT_ID,
        **changes,
    }


async def post(
    bot: ServedBot, token: str | None, activity: dict[str, Any]
) -> tuple[int, dict[str, Any] | None]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(bot.messages_url, json=activity, headers=headers) as response,
    ):
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body


async def test_a_channel_token_for_the_activity_is_taken(
    served_bot: ServedBot, sandbox: RunningSandbox
) -> None:
    activity = meeting_start(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)
    status, _ = await post(served_bot, channel_token(sandbox.tenant), activity)
    assert status == 202
    assert served_bot.events.calls == [("started", THREAD_ID)]


@pytest.mark.parametrize(
    "case",
    ["missing", "bad signature", "wrong audience", "wrong issuer", "expired", "no expiry"],
)
async def test_a_bad_token_is_refused(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    key = sandbox.tenant.bot_framework_key
    keys_url = f"{sandbox.origin}/login.botframework.com/v1/.well-known/keys"
    tokens: dict[str, str | None] = {
        "missing": None,
        "bad signature": SigningKey.generate("not the channel", sandbox.tenant.now()).sign(
            claims(sandbox)
        ),
        "wrong audience": key.sign(claims(sandbox, aud="7d0e5c1a-0000-4000-8000-000000000000")),
        "wrong issuer": key.sign(claims(sandbox, iss="https://issuer.example")),
        "expired": key.sign(
            claims(sandbox, nbf=int(time.time()) - 7200, exp=int(time.time()) - 3600)
        ),
        "no expiry": key.sign({k: v for k, v in claims(sandbox).items() if k != "exp"}),
    }
    # The wrong issuer's keys are the channel's own, so only the issuer check can refuse it.
    monkeypatch.setitem(BOTFRAMEWORK_JWKS_URIS, "https://issuer.example", keys_url)
    activity = meeting_start(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)

    status, body = await post(served_bot, tokens[case], activity)

    assert status == 401
    assert body is not None
    assert set(body) == {"error"}
    assert served_bot.events.calls == []


@pytest.mark.parametrize(
    "elsewhere",
    ["http://127.0.0.1:9/connector/", "{origin}/elsewhere/", "https://smba.trafficmanager.net/uk/"],
)
async def test_an_activity_from_another_service_url_than_its_token_names_is_refused(
    served_bot: ServedBot, sandbox: RunningSandbox, elsewhere: str
) -> None:
    activity = meeting_start(elsewhere.format(origin=sandbox.origin), sandbox.tenant.tenant_id)
    status, _ = await post(served_bot, channel_token(sandbox.tenant), activity)
    assert status == 401
    assert served_bot.events.calls == []


async def test_the_staff_pages_need_no_bot_token(served_bot: ServedBot) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{served_bot.base_url}/healthz") as health:
            assert health.status == 200
        async with http.get(f"{served_bot.base_url}/tab", allow_redirects=False) as tab:
            assert tab.status == 303
            assert tab.headers["Location"] == "/auth/sign-in?return_to=/tab"
