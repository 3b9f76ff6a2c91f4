"""The sandbox's incoming call (someone calling the bot directly, `POST
/sandbox/api/calls/incoming`) has the shape of Microsoft's documented one
(`calls/incoming.json`), is signed as the calling service signs comms notifications, and reads
as the bot reads the documented one: an incoming call of no meeting."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.calling.notifications import CallStateNotice, read_comms_notifications
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR
from sandbox.tenant import CALLING_TOKEN_ISSUERS
from tests.conformance.documented import documented, shape_gaps
from tests.sandbox.conftest import RunningSandbox

CALLING_OPENID = "/api.aps.skype.com/v1/.well-known/OpenIdConfiguration"
"""Where the sandbox publishes its calling service's OpenID configuration, at the path of
Microsoft's (sandbox/README.md)."""


async def verified_claims(sandbox: RunningSandbox, token: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(sandbox.url(CALLING_OPENID)) as answer,
    ):
        jwks_uri = (await answer.json())["jwks_uri"]
    key = await asyncio.to_thread(jwt.PyJWKClient(jwks_uri).get_signing_key_from_jwt, token)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=BOT_CLIENT_ID
    )
    return claims


async def test_the_sandboxs_incoming_call_is_the_documented_one_signed(
    tenant_sandbox: RunningSandbox,
) -> None:
    received: list[tuple[str, dict[str, Any]]] = []

    async def calling_endpoint(request: web.Request) -> web.Response:
        received.append((request.headers["Authorization"], await request.json()))
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/api/calls", calling_endpoint)
    async with TestServer(app) as bot, aiohttp.ClientSession() as http:
        ring = {
            "from": COORDINATOR.user_principal_name,
            "callingEndpoint": str(bot.make_url("/api/calls")),
        }
        async with http.post(tenant_sandbox.url("/sandbox/api/calls/incoming"), json=ring) as rang:
            assert rang.status == 202
            call_id = (await rang.json())["id"]
        await tenant_sandbox.calling.idle()

    ((authorization, body),) = received
    assert shape_gaps(documented("calls/incoming.json"), body) == set()
    ((notice),) = read_comms_notifications(body)
    assert notice.notice == CallStateNotice(call_id, "incoming", None)
    (caller,) = [body["value"][0]["resourceData"]["source"]["identity"]["user"]["id"]]
    assert caller == COORDINATOR.object_id
    claims = await verified_claims(tenant_sandbox, authorization.removeprefix("Bearer "))
    assert claims["iss"] in CALLING_TOKEN_ISSUERS
    assert claims["tid"] == tenant_sandbox.tenant.tenant_id


async def test_ringing_someone_the_tenant_does_not_know_is_refused(
    tenant_sandbox: RunningSandbox,
) -> None:
    ring = {"from": "29:nobody", "callingEndpoint": "http://127.0.0.1:9/api/calls"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(tenant_sandbox.url("/sandbox/api/calls/incoming"), json=ring) as rang,
    ):
        assert rang.status == 404
    assert tenant_sandbox.calling.deliveries == []
