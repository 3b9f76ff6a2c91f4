"""The tenant's token-signing keys and issuer, from its OpenID configuration and the JWKS it
names. Both are cached; a token naming a key not seen yet (keys roll over) fetches them again,
at most once every few minutes, so forged key ids cannot make the bot hammer Entra ID.

The fetches use the same `requests` session as msal (which reaches a local stand-in tenant by
rewriting the authority host), on a worker thread."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import requests

from bot.graph.config import GraphClientConfig
from consent_store.unit_of_work import Clock

FETCH_TIMEOUT_SECONDS = 10.0
KEYS_FRESH_FOR = timedelta(hours=24)
REFETCH_AT_MOST_EVERY = timedelta(minutes=5)


class SigningKeysUnavailable(Exception):
    """The OpenID configuration or the JWKS could not be fetched or read."""


class UnknownSigningKey(Exception):
    """The token names a key the tenant does not publish."""


@dataclass(frozen=True)
class _Fetched:
    issuer: str
    keys: dict[str, jwt.PyJWK]
    at: datetime


def _get_json(http: requests.Session, url: str) -> dict[str, Any]:
    response = http.get(url, timeout=FETCH_TIMEOUT_SECONDS)
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict):
        raise SigningKeysUnavailable(f"{url} did not answer with a JSON object")
    return body


def _usable_keys(jwks: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for entry in jwks.get("keys", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256")
    return keys


class SigningKeys:
    def __init__(self, config: GraphClientConfig, http: requests.Session, clock: Clock) -> None:
        self._discovery_url = f"{config.authority}/v2.0/.well-known/openid-configuration"
        self._http = http
        self._clock = clock
        self._lock = asyncio.Lock()
        self._fetched: _Fetched | None = None

    async def issuer(self) -> str:
        return (await self._current(refetch_if_older_than=KEYS_FRESH_FOR)).issuer

    async def key(self, kid: str) -> jwt.PyJWK:
        fetched = await self._current(refetch_if_older_than=KEYS_FRESH_FOR)
        if kid not in fetched.keys:
            fetched = await self._current(refetch_if_older_than=REFETCH_AT_MOST_EVERY)
        if kid not in fetched.keys:
            raise UnknownSigningKey(kid)
        return fetched.keys[kid]

    async def _current(self, refetch_if_older_than: timedelta) -> _Fetched:
        async with self._lock:
            fetched = self._fetched
            if fetched is None or self._clock() - fetched.at >= refetch_if_older_than:
                fetched = await asyncio.to_thread(self._fetch)
                self._fetched = fetched
            return fetched

    def _fetch(self) -> _Fetched:
        try:
            configuration = _get_json(self._http, self._discovery_url)
            issuer, jwks_uri = configuration.get("issuer"), configuration.get("jwks_uri")
            if not isinstance(issuer, str) or not isinstance(jwks_uri, str):
                raise SigningKeysUnavailable("the OpenID configuration lacks issuer or jwks_uri")
            keys = _usable_keys(_get_json(self._http, jwks_uri))
        except (requests.RequestException, ValueError, jwt.PyJWKError) as error:
            raise SigningKeysUnavailable(type(error).__name__) from error
        return _Fetched(issuer=issuer, keys=keys, at=self._clock())
