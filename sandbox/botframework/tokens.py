"""The JWTs the bot receives: from the Bot Framework channel with each activity Teams sends
(`serviceurl`, `aud` = the bot's app id, issuer `https://api.botframework.com`), and from the
calling service with each comms notification (`aud` = the bot's app id, `tid`, issuer the
tenant's `calling_token_issuer`: `https://api.botframework.com` unless set to
`https://graph.microsoft.com`). They are signed with different keys, published under
different OpenID metadata documents, as in Microsoft's cloud."""

from __future__ import annotations

from sandbox.tenant import Tenant

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
CHANNEL_TOKEN_LIFETIME_SECONDS = 3900
CALLING_TOKEN_LIFETIME_SECONDS = 3900


def channel_token(tenant: Tenant) -> str:
    """The bearer token on an activity Teams posts to the bot's messaging endpoint."""
    issued_at = int(tenant.now().timestamp())
    claims = {
        "serviceurl": tenant.connector_url,
        "nbf": issued_at,
        "exp": issued_at + CHANNEL_TOKEN_LIFETIME_SECONDS,
        "iss": BOT_FRAMEWORK_ISSUER,
        "aud": tenant.bot.client_id,
    }
    return tenant.bot_framework_key.sign(claims)


def calling_token(tenant: Tenant, app_id: str) -> str:
    """The bearer token on a comms notification posted to a call's `callbackUri`."""
    issued_at = int(tenant.now().timestamp())
    claims = {
        "aud": app_id,
        "iss": tenant.calling_token_issuer,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + CALLING_TOKEN_LIFETIME_SECONDS,
        "tid": tenant.tenant_id,
    }
    return tenant.calling_key.sign(claims)
