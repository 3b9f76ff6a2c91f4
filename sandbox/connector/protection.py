"""What every Bot Connector request goes through: the bot's bearer token (an Entra ID token
for `https://api.botframework.com` issued to the tenant's bot app, as the bot gets with
client credentials and scope `https://api.botframework.com/.default`), and the Bot
Connector's error shapes: `{"message": ...}` for a refused token, `{"error": {"code",
"message"}}` otherwise. How the bot authenticated for its token (`appidacr`: "1" a client
secret, "2" a client assertion) is kept on the request, so what it posts records it."""

from __future__ import annotations

import jwt
from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.app_keys import TENANT
from sandbox.tenant import BOT_FRAMEWORK_RESOURCE, Tenant

TOKEN_CLOCK_SKEW_SECONDS = 300
DENIED = {"message": "Authorization has been denied for this request."}
BOT_AUTHENTICATION = web.RequestKey("bot_authentication", str)
"""The `appidacr` of the bot token the request carried."""


class ConnectorError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class TokenRefusedError(Exception):
    """The request has no valid bot token."""


def authenticate_bot(tenant: Tenant, authorization: str) -> str:
    """The bot token's `appidacr`; `TokenRefusedError` unless it is the tenant's bot's."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRefusedError
    try:
        claims = tenant.signing_key.verify(
            token.strip(),
            audiences=(BOT_FRAMEWORK_RESOURCE,),
            issuer=tenant.v1_issuer,
            leeway_seconds=TOKEN_CLOCK_SKEW_SECONDS,
        )
    except jwt.InvalidTokenError as error:
        raise TokenRefusedError from error
    if claims.get("appid") != tenant.bot.client_id or claims.get("tid") != tenant.tenant_id:
        raise TokenRefusedError
    return str(claims.get("appidacr"))


@web.middleware
async def connector_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        request[BOT_AUTHENTICATION] = authenticate_bot(
            request.config_dict[TENANT], request.headers.get("Authorization", "")
        )
        return await handler(request)
    except TokenRefusedError:
        return web.json_response(DENIED, status=401)
    except ConnectorError as error:
        body = {"error": {"code": error.code, "message": error.message}}
        return web.json_response(body, status=error.status)
    except web.HTTPNotFound:
        body = {"error": {"code": "NotFound", "message": "The resource was not found."}}
        return web.json_response(body, status=404)
