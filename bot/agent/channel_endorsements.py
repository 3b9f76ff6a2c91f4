"""Two checks of an activity's channel token that the Agents SDK (1.9) leaves out, made after
its JWT middleware and the service URL guard, on the same sub-application.

- Endorsements. Each key in the Bot Framework's published key set
  (`https://login.botframework.com/v1/.well-known/keys`, named by the OpenID metadata at
  `https://login.botframework.com/v1/.well-known/openidconfiguration`) lists the channels it
  may sign for in `endorsements`; the activity's `channelId` must be among the signing key's
  ("Authentication with the Bot Connector API", Connector to bot:
  https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication;
  BotBuilder's `EndorsementsValidator`). A key with no endorsements, an activity with no
  `channelId`, or a channel the key is not endorsed for is refused (401). The key set is the
  one the SDK itself checks the signature against (`BOTFRAMEWORK_JWKS_URIS` for the token's
  issuer), fetched off the event loop, kept for a day (the Bot Framework's guidance: the keys
  change rarely and may be cached up to a day), and fetched again when a token names a key
  not held, at most once every five minutes. When no key set can be had, 503.
- Tenant. A Bot Framework channel token names no tenant, so the tenant an activity names
  (`channelData.tenant.id`, else `conversation.tenantId`) is compared with ours: the bot serves
  one tenant, and an activity naming another is refused (401). One that names none is left to
  the handlers, which treat its sender as nobody known (`staff_check`).

Refusals are logged by reason only, never with the token or the activity."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import jwt
import requests
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.agent.sdk_internals import BOTFRAMEWORK_JWKS_URIS
from bot.agent.service_url_guard import ACTIVITY_BODY, CLAIMS_IDENTITY
from bot.agent.teams_people import same_id

log = logging.getLogger(__name__)

KEYS_LIFESPAN_SECONDS: Final = 24 * 3600
KEYS_REFRESH_GAP_SECONDS: Final = 300
FETCH_TIMEOUT_SECONDS: Final = 10.0


class ChannelKeysUnavailable(Exception):
    """The channel's key set could not be fetched."""


def fetch_endorsements(keys_url: str) -> dict[str, frozenset[str]]:
    """Each published key's `kid` and its endorsements (blocking: run it off the event loop).
    A key without an `endorsements` list is endorsed for nothing."""
    try:
        response = requests.get(keys_url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as failure:
        raise ChannelKeysUnavailable(type(failure).__name__) from None
    keys = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(keys, list):
        raise ChannelKeysUnavailable("the key set has no keys")
    endorsed: dict[str, frozenset[str]] = {}
    for key in keys:
        if not isinstance(key, Mapping) or not isinstance(key.get("kid"), str):
            continue
        channels = key.get("endorsements")
        listed = channels if isinstance(channels, list) else []
        endorsed[key["kid"]] = frozenset(c for c in listed if isinstance(c, str))
    return endorsed


@dataclass(frozen=True)
class _Held:
    endorsements: Mapping[str, frozenset[str]]
    fetched_at: float


@dataclass
class ChannelEndorsements:
    """The endorsements of the channel's keys, by key set URL. `keys_url_for` gives the key
    set URL of a token issuer (the SDK's own table by default); `clock` is monotonic
    seconds."""

    keys_url_for: Callable[[str], str | None] = BOTFRAMEWORK_JWKS_URIS.get
    clock: Callable[[], float] = time.monotonic
    _held: dict[str, _Held] = field(init=False, repr=False, default_factory=dict)
    _attempted_at: dict[str, float] = field(init=False, repr=False, default_factory=dict)
    _fetching: asyncio.Lock = field(init=False, repr=False, default_factory=asyncio.Lock)

    async def of(self, issuer: str, kid: str) -> frozenset[str] | None:
        """The channels key `kid` of `issuer`'s key set is endorsed for; None when the set
        has no such key. `ChannelKeysUnavailable` when the set cannot be had."""
        keys_url = self.keys_url_for(issuer)
        if keys_url is None:
            return None
        now = self.clock()
        held = self._held.get(keys_url)
        if held is not None and now - held.fetched_at < KEYS_LIFESPAN_SECONDS:
            if kid in held.endorsements:
                return held.endorsements[kid]
            if now - self._attempted_at.get(keys_url, float("-inf")) < KEYS_REFRESH_GAP_SECONDS:
                return None
        async with self._fetching:
            if self._attempted_at.get(keys_url, float("-inf")) < now:
                self._attempted_at[keys_url] = self.clock()
                try:
                    endorsements = await asyncio.to_thread(fetch_endorsements, keys_url)
                except ChannelKeysUnavailable:
                    if held is None or now - held.fetched_at >= KEYS_LIFESPAN_SECONDS:
                        raise
                    log.warning("the channel's keys were not fetched again; the last ones kept")
                else:
                    self._held[keys_url] = _Held(endorsements, self._attempted_at[keys_url])
        return self._held[keys_url].endorsements.get(kid)


def _refused(reason: str) -> web.Response:
    log.warning("activity refused: %s", reason)
    return web.json_response({"error": "Invalid token or authentication failed."}, status=401)


def channel_guard(endorsements: ChannelEndorsements, tenant_id: str) -> Any:
    """The middleware refusing an activity whose signing key is not endorsed for its channel,
    or which names another tenant than `tenant_id`."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        identity = request.get(CLAIMS_IDENTITY)
        token = getattr(identity, "security_token", None)
        claims = getattr(identity, "claims", None)
        body = request[ACTIVITY_BODY]
        if not isinstance(token, str) or not isinstance(claims, dict):
            return _refused("no verified token")
        kid = jwt.get_unverified_header(token).get("kid")
        issuer = claims.get("iss")
        channel = body.get("channelId")
        if not isinstance(kid, str) or not isinstance(issuer, str):
            return _refused("the token names no key or issuer")
        try:
            endorsed = await endorsements.of(issuer, kid)
        except ChannelKeysUnavailable as unavailable:
            log.warning("the channel's keys could not be fetched: %s", unavailable)
            return web.json_response({"error": "Try again later."}, status=503)
        if not isinstance(channel, str) or not endorsed or channel not in endorsed:
            return _refused("the signing key is not endorsed for the activity's channel")
        named = _named_tenant(body)
        if named is not None and not same_id(named, tenant_id):
            return _refused("the activity names another tenant")
        return await handler(request)

    return guard


def _named_tenant(body: Mapping[str, Any]) -> str | None:
    """The tenant a raw activity names: its channel data's, else its conversation's."""
    channel_data = body.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    named = tenant.get("id") if isinstance(tenant, dict) else None
    if not named:
        conversation = body.get("conversation")
        named = conversation.get("tenantId") if isinstance(conversation, dict) else None
    return named if isinstance(named, str) and named else None
