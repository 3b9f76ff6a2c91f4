"""The Agents SDK's msal token provider, made safe for the event loop and cheap per turn.

The SDK's `MsalAuth` builds its msal application on the event loop the first time a token is
wanted, and msal fetches the authority's OpenID configuration synchronously while doing so; it
then hops to a worker thread for every token. Here the application is built on a worker
thread, once, with the credential IASS_CREDENTIAL chooses (`msal_client_credential`: a client
secret, a certificate or a managed identity's federated credential, as for Graph) and an
optional `requests` session (the sandbox's authority rewrite), and a token is held until five
minutes before it expires, so most turns need no thread hop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from azure.core.credentials import AccessToken
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import AccessTokenProviderBase, AgentAuthConfiguration
from msal import ConfidentialClientApplication  # type: ignore[import-untyped]

from bot.graph.config import GraphClientConfig
from bot.graph.credential import msal_client_credential

RENEW_BEFORE_SECONDS = 300

TokenProviderFactory = Callable[[AgentAuthConfiguration], AccessTokenProviderBase]


class OffLoopMsalAuth(MsalAuth):
    """`MsalAuth` whose msal application is built off the event loop with `credential`'s
    client credential and `http_client()`'s session when given, and whose tokens are held
    while fresh."""

    def __init__(
        self,
        configuration: AgentAuthConfiguration,
        *,
        credential: GraphClientConfig,
        http_client: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(configuration)
        self._credential = credential
        self._http_client = http_client
        self._building = asyncio.Lock()
        self._held: dict[tuple[str, tuple[str, ...]], AccessToken] = {}

    def _create_client_application(self, tenant_id: str | None = None) -> Any:
        configuration = self._msal_configuration
        return ConfidentialClientApplication(
            client_id=configuration.CLIENT_ID,
            authority=MsalAuth._resolve_authority(configuration, tenant_id),
            client_credential=msal_client_credential(self._credential),
            http_client=None if self._http_client is None else self._http_client(),
        )

    async def _ensure_application(self) -> None:
        key = self._client_rep()
        if key in self._msal_auth_client_map:
            return
        async with self._building:
            if key not in self._msal_auth_client_map:
                application = await asyncio.to_thread(self._create_client_application)
                self._msal_auth_client_map[key] = application

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        key = (resource_url, tuple(sorted(scopes)))
        held = self._held.get(key)
        if (
            not force_refresh
            and held is not None
            and held.expires_on - time.time() > RENEW_BEFORE_SECONDS
        ):
            return held.token
        await self._ensure_application()
        fresh: AccessToken = await self._get_access_token(resource_url, scopes, force_refresh)
        self._held[key] = fresh
        return fresh.token


def token_providers(credential: GraphClientConfig) -> TokenProviderFactory:
    """The provider factory for Microsoft 365 itself (no rewritten authority)."""

    def factory(configuration: AgentAuthConfiguration) -> AccessTokenProviderBase:
        return OffLoopMsalAuth(configuration, credential=credential)

    return factory
