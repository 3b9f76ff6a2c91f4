"""An azure-core `AsyncTokenCredential` that gets app-only tokens (client credentials)
from msal's `ConfidentialClientApplication`, which caches and renews them.

msal is synchronous and fetches the tenant's OpenID configuration in its constructor, so
the application is built, and every token requested, on a worker thread. A token is held
until five minutes before it expires, so most Graph requests need no thread hop at all."""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from bot.graph.authority_session import authority_session
from bot.graph.config import GraphClientConfig

if TYPE_CHECKING:
    import requests


RENEW_BEFORE = 300
"""Seconds before expiry at which a held token is renewed through msal."""


class MsalAppCredential:
    """App-only tokens for `config`'s app in `config`'s tenant. Continuous access
    evaluation is not requested (msal gets no client capabilities), so `enable_cae` and
    `claims` have nothing to add to app-only tokens beyond being passed through."""

    def __init__(self, config: GraphClientConfig) -> None:
        self._config = config
        self._lock = asyncio.Lock()
        self._app: Any = None
        self._session: requests.Session | None = None
        self._tokens: dict[tuple[str, ...], AccessToken] = {}

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        if tenant_id is not None and tenant_id != self._config.tenant_id:
            raise ValueError("this credential serves only its configured tenant")
        key = tuple(sorted(scopes))
        held = self._tokens.get(key)
        if claims is None and held is not None and held.expires_on - time.time() > RENEW_BEFORE:
            return held
        app = await self._msal_app()
        result: dict[str, Any] = await asyncio.to_thread(
            app.acquire_token_for_client, list(scopes), claims_challenge=claims
        )
        token = result.get("access_token")
        if not isinstance(token, str):
            raise ClientAuthenticationError(
                message=f"{result.get('error')}: {result.get('error_description')}"
            )
        fresh = AccessToken(token, int(time.time()) + int(result["expires_in"]))
        self._tokens[key] = fresh
        return fresh

    async def _msal_app(self) -> Any:
        async with self._lock:
            if self._app is None:
                self._app = await asyncio.to_thread(self._build_app)
            return self._app

    def _build_app(self) -> Any:
        import msal  # type: ignore[import-untyped]

        config = self._config
        if config.authority_rewrite_to is not None:
            self._session = authority_session(config.authority_host, config.authority_rewrite_to)
        return msal.ConfidentialClientApplication(
            config.client_id,
            client_credential=config.client_secret,
            authority=config.authority,
            http_client=self._session,
        )

    async def close(self) -> None:
        if self._session is not None:
            self._session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.close()
