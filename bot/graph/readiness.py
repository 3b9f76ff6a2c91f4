"""Whether this instance can get a Graph token, for `/readyz`: an instance that cannot reach
Microsoft 365 should not be sent Teams' and Graph's requests. The credential holds its token
until five minutes before expiry, so a probe costs a thread hop only when it renews."""

from __future__ import annotations

import asyncio

import requests
from azure.core.exceptions import ClientAuthenticationError

from bot.config import TenantSettings
from bot.graph.credential import MsalAppCredential

GRAPH_READY_SECONDS = 5.0


class GraphTokenProbe:
    """Gets (and holds) an app-only Graph token for the configured tenant."""

    def __init__(self, tenant: TenantSettings) -> None:
        try:
            config = tenant.graph_config()
        except ValueError as error:
            self._problem: str | None = f"no Graph token: {error}"
            self._credential: MsalAppCredential | None = None
            self._scope = ""
        else:
            self._problem = None
            self._credential = MsalAppCredential(config)
            self._scope = config.graph_scope

    async def unavailable(self) -> str | None:
        """Why no token can be had (a setting, or the failure's type), or None."""
        if self._credential is None:
            return self._problem
        try:
            async with asyncio.timeout(GRAPH_READY_SECONDS):
                await self._credential.get_token(self._scope)
        except (ClientAuthenticationError, requests.RequestException, TimeoutError) as failure:
            return f"no Graph token ({type(failure).__name__})"
        except ValueError as failure:
            return f"no Graph token: {failure}"
        return None

    async def close(self) -> None:
        if self._credential is not None:
            await self._credential.close()
