"""The OpenID metadata documents and key sets the bot checks those tokens against, served
with the real host's name as the first path segment, so that `https://{host}/{path}` is
`{sandbox_url}/{host}/{path}`:

- the channel's: `/login.botframework.com/v1/.well-known/openidconfiguration` and
  `/login.botframework.com/v1/.well-known/keys` (keys endorsed for `msteams`);
- the calling service's: `/api.aps.skype.com/v1/.well-known/OpenIdConfiguration` (as Microsoft's
  calling samples spell it; any case answers, as `openidconfiguration` is spelt beside it) and
  `/api.aps.skype.com/v1/keys`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.botframework.tokens import BOT_FRAMEWORK_ISSUER
from sandbox.public_urls import public_url

CHANNEL_PREFIX = "/login.botframework.com/v1/.well-known"
CALLING_PREFIX = "/api.aps.skype.com/v1"


def _metadata(jwks_uri: str) -> dict[str, Any]:
    return {
        "issuer": BOT_FRAMEWORK_ISSUER,
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": jwks_uri,
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }


async def channel_metadata(request: web.Request) -> web.Response:
    return web.json_response(_metadata(public_url(request, "botframework-channel-keys")))


async def channel_keys(request: web.Request) -> web.Response:
    key = request.config_dict[TENANT].bot_framework_key
    return web.json_response({"keys": [{**key.public_jwk(), "endorsements": ["msteams"]}]})


async def calling_metadata(request: web.Request) -> web.Response:
    return web.json_response(_metadata(public_url(request, "botframework-calling-keys")))


async def calling_keys(request: web.Request) -> web.Response:
    key = request.config_dict[TENANT].calling_key
    return web.json_response({"keys": [key.public_jwk()]})


def add_bot_framework_metadata_routes(app: web.Application) -> None:
    router = app.router
    router.add_get(f"{CHANNEL_PREFIX}/openidconfiguration", channel_metadata)
    router.add_get(f"{CHANNEL_PREFIX}/keys", channel_keys, name="botframework-channel-keys")
    router.add_get(
        f"{CALLING_PREFIX}/.well-known/{{document:(?i:openidconfiguration)}}", calling_metadata
    )
    router.add_get(f"{CALLING_PREFIX}/keys", calling_keys, name="botframework-calling-keys")
