"""Checking the JWT on each comms notification, as Microsoft's calling samples do
(microsoft-graph-comms-samples,
`Samples/Common/Sample.Common/Authentication/AuthenticationProvider.cs`,
`ValidateInboundRequestAsync`): issued by `https://api.botframework.com` (the issuer "Incoming
call notifications" documents) or `https://graph.microsoft.com` (the samples accept both), for
the bot's app id, within its lifetime (five minutes' clock skew), naming our tenant (`tid`),
and signed (RS256) with a key the calling service publishes.

The keys are found as the samples and the documentation find them: from the calling service's
OpenID configuration document (`IASS_CALLING_OPENID_URL`, by default
`https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration`) and the key set its
`jwks_uri` names. Both are fetched off the event loop and kept for two
hours (the samples' refresh interval); a token naming a key the set lacks makes them be
fetched again, at most once every five minutes, so forged key ids cannot make the bot hammer
Microsoft. When a due refresh fails, the keys already held are used for up to a day from
their fetch (the Bot Framework's old guidance: poll the keys daily), and the failure logged;
with no usable keys, `CallingKeysUnavailable` (the endpoint answers 503).

The calling service puts the tenant of the call in `tid` ("Incoming call notifications":
https://learn.microsoft.com/microsoftteams/platform/bots/calls-and-meetings/call-notifications),
and the samples refuse a notification whose token names no tenant. The bot serves one tenant,
so a token without `tid`, or naming another tenant, is refused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

import jwt
import requests

log = logging.getLogger(__name__)

CALLING_ISSUERS: Final = frozenset({"https://api.botframework.com", "https://graph.microsoft.com"})
CLOCK_SKEW_SECONDS: Final = 300
KEYS_LIFESPAN_SECONDS: Final = 2 * 3600
KEYS_REFRESH_GAP_SECONDS: Final = 300
STALE_KEYS_LIMIT_SECONDS: Final = 24 * 3600
FETCH_TIMEOUT_SECONDS: Final = 10.0


class CallingTokenRejected(Exception):
    """The notification's token is missing or not acceptable; the message says why (no
    token content)."""


class CallingKeysUnavailable(Exception):
    """The calling service's keys could not be fetched, so no token can be checked."""


def _document(url: str) -> Any:
    """The JSON document at `url`; `CallingKeysUnavailable` when it cannot be had."""
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as failure:
        raise CallingKeysUnavailable(type(failure).__name__) from None


def jwks_uri_of(metadata_url: str, metadata: Any) -> str:
    """The `jwks_uri` an OpenID configuration document names: https, or http only when the
    document itself was fetched over http (a stand-in tenant on this machine)."""
    jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, Mapping) else None
    if not isinstance(jwks_uri, str):
        raise CallingKeysUnavailable("the OpenID configuration names no jwks_uri")
    allowed = {"https", urlsplit(metadata_url).scheme.lower()}
    parts = urlsplit(jwks_uri)
    if parts.scheme.lower() not in allowed or not parts.hostname:
        raise CallingKeysUnavailable("the OpenID configuration's jwks_uri is not https")
    return jwks_uri


def fetch_calling_keys(metadata_url: str) -> dict[str, jwt.PyJWK]:
    """The calling service's signing keys by `kid`, found through its OpenID configuration
    (blocking: run it off the event loop)."""
    key_document = _document(jwks_uri_of(metadata_url, _document(metadata_url)))
    if not isinstance(key_document, dict):
        raise CallingKeysUnavailable("the key set is not a JSON object")
    try:
        key_set = jwt.PyJWKSet.from_dict(key_document)
    except jwt.PyJWTError as unusable:
        raise CallingKeysUnavailable(f"no usable keys ({type(unusable).__name__})") from None
    return {key.key_id: key for key in key_set.keys if key.key_id}


@dataclass(frozen=True)
class _Keys:
    by_id: Mapping[str, jwt.PyJWK]
    fetched_at: float


@dataclass
class CallingTokenValidator:
    """Checks bearer tokens for the bot `app_id` in tenant `tenant_id`, with keys found
    through the OpenID configuration at `metadata_url`. `clock` is monotonic seconds."""

    app_id: str
    metadata_url: str
    tenant_id: str
    clock: Callable[[], float] = time.monotonic
    _keys: _Keys | None = field(init=False, repr=False, default=None)
    _attempted_at: float = field(init=False, repr=False, default=float("-inf"))
    _refreshing: asyncio.Lock = field(init=False, repr=False, default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        if not self.app_id:
            raise ValueError("the bot's app id is needed to check calling tokens")
        if not self.tenant_id:
            raise ValueError("the tenant id is needed to check calling tokens")

    async def claims(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of `Authorization: Bearer <JWT>`; raises
        `CallingTokenRejected` or `CallingKeysUnavailable`."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise CallingTokenRejected("no bearer token")
        token = token.strip()
        signing_key = await self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=sorted(CALLING_ISSUERS),
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud", "tid"]},
            )
        except jwt.PyJWTError as invalid:
            raise CallingTokenRejected(type(invalid).__name__) from None
        if str(claims["tid"]).lower() != self.tenant_id.lower():
            raise CallingTokenRejected("token is for another tenant")
        return claims

    async def _signing_key(self, token: str) -> jwt.PyJWK:
        """The published key the token's `kid` names: from the keys held while they are
        fresh (or while a failed refresh is retried no sooner than the gap allows),
        otherwise after fetching them again."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as malformed:
            raise CallingTokenRejected(type(malformed).__name__) from None
        if not isinstance(kid, str) or not kid:
            raise CallingTokenRejected("token names no signing key")
        now = self.clock()
        held = self._keys
        if held is not None:
            key = held.by_id.get(kid)
            age = now - held.fetched_at
            tried_lately = now - self._attempted_at < KEYS_REFRESH_GAP_SECONDS
            if key is not None and (
                age < KEYS_LIFESPAN_SECONDS or (tried_lately and age < STALE_KEYS_LIMIT_SECONDS)
            ):
                return key
            if key is None and tried_lately:
                raise CallingTokenRejected("unknown signing key")
        return await self._refreshed_key(now, kid)

    async def _refreshed_key(self, asked_at: float, kid: str) -> jwt.PyJWK:
        """Fetch the keys again (unless another request did since `asked_at`) and find
        `kid`. Keys fetched within a day outlast a failed fetch, logged."""
        failure: CallingKeysUnavailable | None = None
        async with self._refreshing:
            if self._attempted_at < asked_at:
                self._attempted_at = self.clock()
                try:
                    by_id = await asyncio.to_thread(fetch_calling_keys, self.metadata_url)
                except CallingKeysUnavailable as unavailable:
                    failure = unavailable
                else:
                    self._keys = _Keys(by_id, self._attempted_at)
            held = self._keys
        if held is None or self.clock() - held.fetched_at >= STALE_KEYS_LIMIT_SECONDS:
            raise failure or CallingKeysUnavailable("no calling service keys from the last day")
        key = held.by_id.get(kid)
        if key is None:
            raise failure or CallingTokenRejected("unknown signing key")
        if failure is not None:
            log.warning("calling service keys not refreshed, the last ones kept: %s", failure)
        return key
