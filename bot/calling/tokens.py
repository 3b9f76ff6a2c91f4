"""Checking the JWT on each comms notification: issued by `https://api.botframework.com`
for the bot's app id, within its lifetime, naming our tenant (`tid`), and signed (RS256)
with a key the calling service publishes (`https://api.aps.skype.com/v1/keys`; the sandbox
serves its own at `{sandbox_origin}/api.aps.skype.com/v1/keys`).

The key set is fetched off the event loop and kept (PyJWT's `PyJWKClient` caches it and
fetches again when a token names a key it does not hold). Each key found is also kept here by
its id for as long as the set is, so a token signed with a known key is checked on the loop
with no thread hop.

The calling service puts the tenant of the call in `tid` (Microsoft's "Incoming call
notifications":
https://learn.microsoft.com/microsoftteams/platform/bots/calls-and-meetings/call-notifications),
and Microsoft's samples refuse a notification whose token names no tenant
(microsoft-graph-comms-samples, `Sample.Common/Authentication/AuthenticationProvider.cs`). The bot
serves one tenant, so a token without `tid`, or naming another tenant, is refused.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Final

import jwt

CALLING_ISSUER: Final = "https://api.botframework.com"
CALLING_KEYS_URL: Final = "https://api.aps.skype.com/v1/keys"
CALLING_KEYS_PATH: Final = "/api.aps.skype.com/v1/keys"
CLOCK_SKEW_SECONDS: Final = 300
KEY_SET_LIFESPAN_SECONDS: Final = 24 * 3600


class CallingTokenRejected(Exception):
    """The notification's token is missing or not acceptable; the message says why (no
    token content)."""


class CallingKeysUnavailable(Exception):
    """The calling service's keys could not be fetched, so no token can be checked."""


def calling_keys_url(sandbox_origin: str = "") -> str:
    """Where the calling service publishes its keys: Microsoft's, or the sandbox's."""
    origin = sandbox_origin.rstrip("/")
    return f"{origin}{CALLING_KEYS_PATH}" if origin else CALLING_KEYS_URL


@dataclass
class CallingTokenValidator:
    """Checks bearer tokens for the bot `app_id` in tenant `tenant_id`."""

    app_id: str
    keys_url: str
    tenant_id: str
    _keys: jwt.PyJWKClient = field(init=False, repr=False)
    _known: dict[str, tuple[jwt.PyJWK, float]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not self.app_id:
            raise ValueError("the bot's app id is needed to check calling tokens")
        if not self.tenant_id:
            raise ValueError("the tenant id is needed to check calling tokens")
        self._keys = jwt.PyJWKClient(self.keys_url, lifespan=KEY_SET_LIFESPAN_SECONDS)

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
                issuer=CALLING_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "nbf", "iss", "aud", "tid"]},
            )
        except jwt.PyJWTError as invalid:
            raise CallingTokenRejected(type(invalid).__name__) from None
        if str(claims["tid"]).lower() != self.tenant_id.lower():
            raise CallingTokenRejected("token is for another tenant")
        return claims

    async def _signing_key(self, token: str) -> jwt.PyJWK:
        """The published key named by the token's `kid`: kept from an earlier token while
        the key set would be, otherwise looked up (and the set fetched) off the loop."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as malformed:
            raise CallingTokenRejected(type(malformed).__name__) from None
        known = self._known.get(kid) if isinstance(kid, str) else None
        if known is not None and known[1] > time.monotonic():
            return known[0]
        try:
            signing_key = await asyncio.to_thread(self._keys.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientConnectionError as unreachable:
            raise CallingKeysUnavailable(type(unreachable).__name__) from None
        except jwt.PyJWTError as unusable:
            raise CallingTokenRejected(
                f"no usable signing key ({type(unusable).__name__})"
            ) from None
        if isinstance(kid, str):
            self._known[kid] = (signing_key, time.monotonic() + KEY_SET_LIFESPAN_SECONDS)
        return signing_key
