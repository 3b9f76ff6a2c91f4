"""The sandbox mounted as a sub-application: the URLs it publishes carry the prefix, and msal
and the pages work through it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import msal
import pytest
from aiohttp import web

from bot.graph.authority_session import authority_session
from sandbox.app import create_sandbox_app
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, seeded_tenant


@pytest.fixture
async def mounted_origin() -> AsyncIterator[str]:
    parent = web.Application()
    parent.add_subapp("/m365", create_sandbox_app(seeded_tenant()))
    runner = web.AppRunner(parent)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_a_mounted_sandbox_publishes_prefixed_urls(
    mounted_origin: str, http: aiohttp.ClientSession
) -> None:
    base = f"{mounted_origin}/m365"
    tenant_id = seeded_tenant().tenant_id
    async with http.get(f"{base}/{tenant_id}/v2.0/.well-known/openid-configuration") as response:
        configuration = await response.json()
    assert configuration["jwks_uri"].startswith(f"{base}/{tenant_id}/")
    assert configuration["authorization_endpoint"].startswith(f"{base}/{tenant_id}/")
    assert configuration["token_endpoint"].startswith("https://login.microsoftonline.com/")

    app = await asyncio.to_thread(
        msal.ConfidentialClientApplication,
        BOT_CLIENT_ID,
        client_credential=BOT_CLIENT_SECRET,
        authority=f"https://login.microsoftonline.com/{tenant_id}",
        http_client=authority_session("https://login.microsoftonline.com", base),
    )
    result = await asyncio.to_thread(
        app.acquire_token_for_client, ["https://graph.microsoft.com/.default"]
    )
    assert "access_token" in result

    async with http.get(f"{base}/", allow_redirects=False) as redirect:
        assert redirect.headers["Location"] == "/m365/sandbox/"
    async with http.get(f"{base}/sandbox/") as page:
        assert f"{base}/v1.0" in await page.text()
