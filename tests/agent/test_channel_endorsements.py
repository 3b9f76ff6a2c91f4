"""`/api/messages` refuses what the Agents SDK's validator lets through: a token signed with a
key the channel does not publish, a key not endorsed for the activity's channel (the
Bot Framework's key set lists each key's `endorsements`; a key listing none endorses
nothing), and an activity naming another tenant than the bot's. Each refusal is a 401 with no
turn taken; the endorsed key for `msteams` and our tenant is taken."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS

from bot.agent.channel_endorsements import ChannelEndorsements, fetch_endorsements
from sandbox.botframework.tokens import channel_token
from sandbox.signing import SigningKey
from tests.agent.conftest import BOT_FRAMEWORK_ISSUER, ServedBot
from tests.agent.test_channel_tokens import THREAD_ID, claims, meeting_start, post
from tests.sandbox.conftest import RunningSandbox

OTHER_TENANT = "0c0ffee0-1111-4222-8333-444455556666"


async def test_the_channel_key_endorsed_for_msteams_in_our_tenant_is_taken(
    served_bot: ServedBot, sandbox: RunningSandbox
) -> None:
    keys_url = BOTFRAMEWORK_JWKS_URIS[BOT_FRAMEWORK_ISSUER]
    assert await asyncio.to_thread(fetch_endorsements, keys_url) == {
        sandbox.tenant.bot_framework_key.kid: {"msteams"}
    }
    activity = meeting_start(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)

    status, _ = await post(served_bot, channel_token(sandbox.tenant), activity)

    assert status == 202
    assert served_bot.events.calls == [("started", THREAD_ID)]


@pytest.mark.parametrize("case", ["unknown key", "another channel", "another tenant"])
async def test_a_token_or_activity_the_channel_would_not_send_is_refused(
    served_bot: ServedBot, sandbox: RunningSandbox, case: str
) -> None:
    activity = meeting_start(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)
    token = channel_token(sandbox.tenant)
    if case == "unknown key":
        token = SigningKey.generate("unpublished", sandbox.tenant.now()).sign(claims(sandbox))
    elif case == "another channel":
        activity["channelId"] = "webchat"
    else:
        activity["channelData"]["tenant"]["id"] = OTHER_TENANT
        activity["conversation"]["tenantId"] = OTHER_TENANT

    status, body = await post(served_bot, token, activity)

    assert status == 401
    assert body == {"error": "Invalid token or authentication failed."}
    assert served_bot.events.calls == []


@pytest.fixture
async def unendorsed_keys(sandbox: RunningSandbox) -> AsyncIterator[str]:
    """The channel's own key published without endorsements, at a URL of its own."""
    jwk = sandbox.tenant.bot_framework_key.public_jwk()

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app = web.Application()
    app.router.add_get("/keys", keys)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/keys"))


async def test_a_key_published_without_endorsements_endorses_nothing(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    unendorsed_keys: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(BOTFRAMEWORK_JWKS_URIS, BOT_FRAMEWORK_ISSUER, unendorsed_keys)
    activity = meeting_start(sandbox.tenant.connector_url, sandbox.tenant.tenant_id)

    status, _ = await post(served_bot, channel_token(sandbox.tenant), activity)

    assert status == 401
    assert served_bot.events.calls == []


class Ticks:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


async def test_the_endorsements_are_kept_and_an_unknown_key_fetches_them_at_most_every_five_minutes(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []

    def counted(url: str) -> dict[str, frozenset[str]]:
        fetched.append(url)
        return {"known": frozenset({"msteams"})}

    monkeypatch.setattr("bot.agent.channel_endorsements.fetch_endorsements", counted)
    ticks = Ticks()
    urls: dict[str, Any] = {BOT_FRAMEWORK_ISSUER: "https://keys.example/keys"}
    endorsements = ChannelEndorsements(keys_url_for=urls.get, clock=ticks)

    assert await endorsements.of(BOT_FRAMEWORK_ISSUER, "known") == {"msteams"}
    assert await endorsements.of(BOT_FRAMEWORK_ISSUER, "known") == {"msteams"}
    assert await endorsements.of(BOT_FRAMEWORK_ISSUER, "forged") is None
    assert len(fetched) == 1
    ticks.seconds += 301
    assert await endorsements.of(BOT_FRAMEWORK_ISSUER, "forged") is None
    assert await endorsements.of(BOT_FRAMEWORK_ISSUER, "forged") is None
    assert len(fetched) == 2
    ticks.seconds += 24 * 3600
    assert await endorsements.of(BOT_FRAMEWORK_ISSUER, "known") == {"msteams"}
    assert len(fetched) == 3
    assert await endorsements.of("https://issuer.example", "known") is None
    assert len(fetched) == 3
